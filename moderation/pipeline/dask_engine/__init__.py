"""The Dask engine: ``moderation score`` and ``moderation dedup`` on a cluster.

A second engine beside the local one (:mod:`moderation.pipeline.score`,
:mod:`moderation.pipeline.dedup`), taking the same options and writing, through the same
writers, the same rows, rejections and summary, whatever the number of workers. Chosen by
``engine="dask"`` (``--engine dask``) through :mod:`moderation.pipeline.engine`.

One module per job: ``cluster`` (the scheduler, or a local cluster started for the run),
``blocks`` and ``planning`` (inputs cut into blocks), ``reading`` (a block parsed as the local
engine parses it), ``model_cache`` (the model, once per worker), ``stages`` (what a worker makes
of a block), ``features`` (shingles, band keys, sketches), ``matching`` (the shuffles and the
verification), ``parquet_index`` (earlier runs, a Parquet dataset), ``resolve`` (clusters as the
local finder decides them), ``marks`` and ``clustering`` (each block's share), ``writing`` and
``output`` (parts, manifest, one gathered file), ``summaries``, and the two runs,
``score_run`` and ``dedup_run``. Importing this package needs dask, distributed and pyarrow
(``pip install 'moderation[dask]'``).
"""
