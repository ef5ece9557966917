"""Where the shipped data installs, which pyproject.toml cannot express alone.

``resources/`` and ``db/migrations/<program>/`` stay at the top of the source tree, and install
inside the program that reads them, where ``importlib.resources`` finds them in a wheel, an
editable install or a frozen build alike (desk_app/paths.py, district_server/db.py).
Automatic discovery cannot see a package whose folder is not under its parent's, so the
packages are listed here. Their subfolders (fonts/, versions/, ...) are listed too: setuptools
otherwise warns that it ships data folders that are not packages.
"""

from setuptools import find_namespace_packages, find_packages, setup

DATA_FOLDERS = {
    "desk_app._resources": "resources",
    "desk_app._migrations": "db/migrations/desk",
    "district_server._migrations": "db/migrations/district",
}


def data_packages() -> list[str]:
    names = []
    for package, folder in DATA_FOLDERS.items():
        subfolders = find_namespace_packages(folder, exclude=["__pycache__", "*.__pycache__"])
        names += [package, *(f"{package}.{name}" for name in subfolders)]
    return names


setup(
    packages=[
        *find_packages(include=["desk_app*", "ui*", "district_server*", "event_schema*"]),
        *data_packages(),
    ],
    package_dir=DATA_FOLDERS,
    package_data={package: ["**/*"] for package in DATA_FOLDERS},
    exclude_package_data={"": ["__pycache__/*", "*.pyc"]},
)
