"""Settings of the benchmark server: Retour's own, plus the bench-only floor endpoints."""

from retour.config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.bench_urls"
