"""The product's settings plus one bare page, the benchmarks' yardstick (never used in production)."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.hello_urls"
