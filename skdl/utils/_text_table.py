"""Plain-text tables whose columns fit their contents (the demo's and the benchmark runner's)."""


def text_table(header, rows, *, right_aligned=()):
    """Lay ``header`` and ``rows`` (lists of cells) out as lines, each column as wide as its widest cell.

    Parameters
    ----------
    header : list of str
        The column titles.
    rows : list of list
        The cells of each row, converted with ``str``; a row shorter than the header is padded
        with empty cells.
    right_aligned : collection of int, default=()
        Indices of the columns to align right (numbers).

    Returns
    -------
    list of str
        The header, a rule of dashes under it, then one line per row, without trailing spaces.

    Examples
    --------
    >>> from skdl.utils._text_table import text_table
    >>> print("\\n".join(text_table(["name", "ratio"], [["KMeans", "1.05x"]], right_aligned={1})))
    name    ratio
    ------  -----
    KMeans  1.05x
    """
    cells = [[str(cell) for cell in row] + [""] * (len(header) - len(row)) for row in [header, *rows]]
    widths = [max(len(row[column]) for row in cells) for column in range(len(header))]

    def line(row):
        padded = [
            cell.rjust(width) if column in right_aligned else cell.ljust(width)
            for column, (cell, width) in enumerate(zip(row, widths))
        ]
        return "  ".join(padded).rstrip()

    return [line(cells[0]), line(["-" * width for width in widths]), *map(line, cells[1:])]
