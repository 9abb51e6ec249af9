"""The source's own fields of every imported event, kept once per file instead of per event.

An event shows the fields its source gave it, exactly as read (its page, ``source_fields`` in the
API). Keeping them as JSON in each event row made the events table four times bigger and every
import and full scan slower (docs/performance.md). Now each imported file's fields are stored
once, in compressed Parquet chunks of :data:`CHUNK_ROWS` rows in :class:`SourceChunk`, keyed by
the file's SHA-256 (content-addressed: the same file imported twice is stored once) and by row.
An event finds its fields through its import run's ``sha256`` and its ``source_row``. Why chunks
in the database and not files: docs/adr/0006-source-fields-stored-once-per-file.md.

Compressing is Polars' work in Rust, which releases the GIL, so :class:`SourceFields` runs it in
a background thread while the events are written; the chunks are written after them, in the
import's transaction.
"""

from __future__ import annotations

import functools
import io
import threading
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor

import polars as pl

from commonground.events.models import Event, SourceChunk

#: Rows per chunk: reading one event's fields decodes one chunk (a few milliseconds), and
#: bigger chunks compress only a little better.
CHUNK_ROWS = 4096

#: zstd level 1: 300,000 GED rows (219 MB of CSV) become about 21 MB in about 1 s of CPU.
COMPRESSION_LEVEL = 1

#: The column that numbers rows as ``source_row`` does (the header is row 1).
ROW = "_row"

#: Chunk = (first row, last row, rows, Parquet bytes).
Chunk = tuple[int, int, int, bytes]

_executor_lock = threading.Lock()
_executor: list[ThreadPoolExecutor] = []


def _background() -> ThreadPoolExecutor:
    """One worker thread for the process: compression uses Polars' own threads anyway."""
    with _executor_lock:
        if not _executor:
            _executor.append(ThreadPoolExecutor(max_workers=1, thread_name_prefix="source-fields"))
        return _executor[0]


class SourceFields:
    """One file's fields as read (strings, in file order) with their row numbers.

    :meth:`start` compresses them in the background; the persist step calls it once the rows
    are inserted, so that compression (about 1 s of CPU for 300,000 GED rows) runs on the
    second core while SQLite builds the indexes on the first. Started during parsing, it
    competed with Polars' own threads and made parsing slower by about as much; started before
    the insert, with ADBC's staging writes (which use both cores).
    :meth:`chunks` starts it if need be and waits for it.
    """

    def __init__(self, frame: pl.DataFrame, columns: Iterable[str]) -> None:
        self.frame = frame.select(pl.col(ROW).cast(pl.Int64), *columns)
        self._chunks: Future[list[Chunk]] | None = None

    @property
    def columns(self) -> list[str]:
        return [c for c in self.frame.columns if c != ROW]

    def start(self) -> None:
        if self._chunks is None:
            self._chunks = _background().submit(compress, self.frame)

    def chunks(self) -> list[Chunk]:
        self.start()
        assert self._chunks is not None  # set by start()
        return self._chunks.result()


def compress(frame: pl.DataFrame, rows_per_chunk: int = CHUNK_ROWS) -> list[Chunk]:
    """The frame (``_row`` and the fields) as zstd-compressed Parquet, one per chunk of rows."""
    chunks: list[Chunk] = []
    for start in range(0, frame.height, rows_per_chunk):
        part = frame.slice(start, rows_per_chunk)
        buffer = io.BytesIO()
        part.write_parquet(
            buffer,
            compression="zstd",
            compression_level=COMPRESSION_LEVEL,
            statistics=False,
            row_group_size=rows_per_chunk,
        )
        rows = part[ROW]
        chunks.append((int(rows.min()), int(rows.max()), part.height, buffer.getvalue()))  # type: ignore[arg-type]  # min/max of a non-empty Int64 column are ints
    return chunks


def store(source: SourceFields, sha256: str) -> int:
    """Keep a file's fields unless a complete copy of that file is already kept; chunks written.

    Runs inside the import's transaction, so a failed import keeps nothing. Partial copies (made
    by the migration from the old per-event JSON, which had only the rows events pointed at)
    are replaced by the complete one.
    """
    kept = SourceChunk.objects.filter(sha256=sha256)
    if kept.filter(complete=True).exists():
        return 0
    kept.delete()
    chunks = [
        SourceChunk(sha256=sha256, first_row=first, last_row=last, rows=rows, data=data)
        for first, last, rows, data in source.chunks()
    ]
    SourceChunk.objects.bulk_create(chunks, batch_size=50)
    return len(chunks)


def source_fields(event: Event) -> dict[str, str]:
    """The event's own fields as its source gave them, in file order; {} if none were kept.

    Fields come from the file the event was last written from: its import run's file.
    """
    found = (
        SourceChunk.objects.filter(
            sha256=event.import_run.sha256,
            first_row__lte=event.source_row,
            last_row__gte=event.source_row,
        )
        .order_by("-first_row")
        .values_list("id", "sha256", "first_row", "rows")
        .first()
    )
    if found is None:
        return {}
    frame = _chunk_frame(*found)
    rows = frame.filter(pl.col(ROW) == event.source_row).drop(ROW)
    if rows.is_empty():
        return {}
    fields = rows.row(0, named=True)
    return {name: "" if value is None else str(value) for name, value in fields.items()}


@functools.lru_cache(maxsize=8)
def _chunk_frame(chunk_id: int, sha256: str, first_row: int, rows: int) -> pl.DataFrame:
    """A chunk, decoded. The last few read are kept: an events page, the API and tests read
    neighbouring rows. A chunk never changes once written; the key still names its file and
    rows, because an id freed by a rolled-back import can be given to another chunk."""
    data = SourceChunk.objects.values_list("data", flat=True).get(
        pk=chunk_id, sha256=sha256, first_row=first_row, rows=rows
    )
    return pl.read_parquet(io.BytesIO(bytes(data)))
