"""pip install ./python (Debian's pip and setuptools, --no-build-isolation):
builds influxc._core from the library's sources and the extension's, with
the same compiler flags as the CMake build, and installs the package.
Needs the -dev packages scripts/deps.sh installs (libcurl, yajl, zlib)."""
import os
import re

from setuptools import Extension, setup

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def version():
    """The project's version: CMakeLists.txt's project() is its one
    source."""
    with open(os.path.join(ROOT, "CMakeLists.txt")) as f:
        return re.search(r"project\(influxc VERSION ([0-9.]+)", f.read())[1]


def version_header():
    """include/influxc/version.h for this build, as CMake makes it."""
    major, minor, patch = version().split(".")
    out = os.path.join(HERE, "build", "gen", "influxc")
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(ROOT, "include", "influxc", "version.h.in")) as f:
        text = f.read()
    for k, v in (("PROJECT_VERSION_MAJOR", major),
                 ("PROJECT_VERSION_MINOR", minor),
                 ("PROJECT_VERSION_PATCH", patch),
                 ("PROJECT_VERSION", version())):
        text = text.replace("@%s@" % k, v)
    with open(os.path.join(out, "version.h"), "w") as f:
        f.write(text)
    return os.path.dirname(out)


def sources():
    with open(os.path.join(ROOT, "CMakeLists.txt")) as f:
        lib = re.search(r"set\(INFLUXC_SOURCES(.*?)\)", f.read(), re.S)[1]
    lib = [os.path.join(ROOT, s) for s in lib.split()]
    ext = sorted(os.path.join(HERE, "src", n)
                 for n in os.listdir(os.path.join(HERE, "src"))
                 if n.endswith(".c"))
    return [os.path.relpath(p, HERE) for p in lib + ext]


core = Extension(
    "influxc._core",
    sources=sources(),
    include_dirs=[version_header(), os.path.join(ROOT, "include"),
                  os.path.join(ROOT, "src"), "/usr/include/yajl"],
    define_macros=[("_POSIX_C_SOURCE", "200809L"), ("_DEFAULT_SOURCE", None)],
    extra_compile_args=["-std=c11", "-fvisibility=hidden", "-Wall",
                        "-Wextra"],
    libraries=["curl", "yajl", "z", "pthread", "m"],
)

setup(
    name="influxc",
    version=version(),
    description="influxdb-python's API on libinfluxc's C core",
    packages=["influxc"],
    package_data={"influxc": ["py.typed", "*.pyi"]},
    ext_modules=[core],
    python_requires=">=3.9",
)
