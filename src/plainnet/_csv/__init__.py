"""The parts of the CSV reader behind :mod:`plainnet.data`: the file and its
header (``file``), one column's cells of a chunk of rows (``cells``), the
chunks split by ``str`` methods and the csv module (``text_chunks``) or by
pyarrow when installed (``arrow_chunks``), a column built chunk by chunk
(``builder``) and the columns put together (``columns``, ``reading``)."""
