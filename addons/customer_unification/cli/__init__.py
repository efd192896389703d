from . import dedupe
