from setuptools import find_packages, setup

setup(
    name="openimis-claims-backend",
    version="0.1.0",
    description="Claims and pre-authorization backend in openIMIS module style (Django + GraphQL)",
    python_requires=">=3.11,<3.12",
    packages=find_packages(include=["config*", "core*", "openimis_claim*", "openimis_approval*",
                                    "hospital_orders*", "reports*", "api_fhir_r4*"]),
    include_package_data=True,
    package_data={"core": ["registers/data/*.csv"]},
    install_requires=[
        "Django>=5.2.8,<5.3",
        "graphene>=3.4,<3.5",
        "graphene-django>=3.2.3,<3.3",
        "graphql-core>=3.2,<3.3",
        "django-graphql-jwt==0.4.0",
        "PyJWT>=2.10,<3",
        "django-filter>=25.1,<27",
        "dj-database-url>=2.3,<4",
        "psycopg[binary]>=3.2,<3.4",
        "weasyprint>=70,<71",
        "redis>=5,<9",
        "tqdm>=4.66,<5",
        "celery>=5.4,<6",
        "gunicorn>=23,<28",
        "prometheus-client>=0.20,<1",
        "python-json-logger>=3,<4",
        "whitenoise>=6.8,<7",
        "urllib3>=2.2,<3",  # FHIR rest-hook notifications (api_fhir_r4.delivery)
    ],
    extras_require={
        "dev": [
            "pytest>=8.3,<10",
            "pytest-django>=4.9,<5",
            "snapshottest==0.6.0",
            "pypdf>=5,<8",
            "fhir.resources==8.3.0",  # validates every FHIR resource the tests receive
            "ruff>=0.8,<0.18",
        ],
    },
)
