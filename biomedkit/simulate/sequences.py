"""Simulated DNA-like sequences with planted binding-site motifs and a known label rule."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from biomedkit._checks import check_float, check_int, check_random_state
from biomedkit.simulate._common import as_dataset

ALPHABET = "ACGT"
# Background by default: independent bases with 40 % GC, close to the human genome's average.
GC_CONTENT = 0.4
# Two consensus binding sites of transcription-factor families (forward strand only):
# the E-box, bound by bHLH factors such as MYC, and the GATA site of the GATA factors.
MOTIFS = {"ebox": "CACGTG", "gata": "AGATAA"}
RULES = {
    "presence": "label 1 if the sequence holds an E-box; a GATA site is planted in half of "
                "the sequences of either label (a distractor)",
    "spacing": "every sequence holds one E-box and one GATA site; label 1 if the GATA site "
               "starts exactly `spacing` bases after the end of the E-box (a composite "
               "element), 0 for any other arrangement",
}
_MAX_REDRAWS = 100


@dataclass(repr=False)
class SequenceTruth:
    """What generated a set of simulated sequences.

    Attributes
    ----------
    rule : str
        The label rule: "presence" or "spacing" (see ``description``).
    description : str
        The rule in words.
    motifs : dict
        Motif name -> consensus (``"ebox"``: CACGTG, ``"gata"``: AGATAA).
    sites : pandas.DataFrame
        One row per planted site: ``sequence_id``, ``motif``, ``start`` and ``end`` (0-based,
        end exclusive) and ``planted``, the bases written there (the consensus with
        mutations).
    site_map : ndarray of int8, shape (n, length)
        Per position: -1 for background, else the index of the motif planted there (the
        order of ``motifs``: 0 E-box, 1 GATA).
    spacing : int
        Bases between the end of the E-box and the start of the GATA site in a composite
        element ("spacing" rule).
    mutation : float
        Probability that a base of a planted site differs from the consensus.
    background : dict
        Probability of each base outside the sites (drawn independently; set by
        ``gc_content``).
    """

    rule: str
    description: str
    motifs: dict
    sites: pd.DataFrame
    site_map: np.ndarray
    spacing: int
    mutation: float
    background: dict

    @property
    def motif_mask(self) -> np.ndarray:
        """Boolean (n, length): True at the positions of any planted site."""
        return self.site_map >= 0

    def labels_from_sites(self) -> np.ndarray:
        """The labels the rule gives to the planted sites (equal to the data's labels)."""
        n = self.site_map.shape[0]
        starts = {m: np.full(n, -1) for m in self.motifs}
        for motif, rows in self.sites.groupby("motif"):
            starts[motif][rows["sequence_id"].to_numpy()] = rows["start"].to_numpy()
        ebox, gata = starts["ebox"], starts["gata"]
        if self.rule == "presence":
            return (ebox >= 0).astype(np.int64)
        width = len(self.motifs["ebox"])
        return ((ebox >= 0) & (gata == ebox + width + self.spacing)).astype(np.int64)

    def __repr__(self) -> str:
        n, length = self.site_map.shape
        return (f"<SequenceTruth: {n} sequences of {length} bases, rule {self.rule!r} "
                f"({self.description}); {len(self.sites)} planted sites>")


def sequences(
    n: int = 2000,
    *,
    length: int = 50,
    rule: str = "spacing",
    spacing: int = 4,
    mutation: float = 0.1,
    gc_content: float = GC_CONTENT,
    prevalence: float = 0.5,
    random_state: int | np.random.Generator | None = None,
):
    """Simulate DNA-like sequences with planted binding sites and a label that follows a rule.

    Each sequence is ``length`` bases drawn independently (40 % G or C by default). Binding sites of two
    transcription-factor families are written into them: the **E-box** (consensus CACGTG)
    and the **GATA site** (AGATAA), each base mutated with probability ``mutation``. By
    chance the background holds a consensus site in about 1 % of sequences of 50 bases;
    such sequences are redrawn, so the planted sites are the only exact ones.

    Two label rules:

    - ``"presence"``: a sequence is positive when it holds an E-box. Counting short words
      (k-mers) suffices, so a bag-of-k-mers model should do well.
    - ``"spacing"``: every sequence holds one E-box and one GATA site; it is positive when
      the GATA site starts exactly ``spacing`` bases after the E-box ends, as in a
      **composite element** where two factors bind cooperatively only at the right
      distance. Counts are the same in both classes: only the arrangement tells them apart.
      In both classes the E-box starts uniformly in ``[0, length - 12 - spacing]``; the
      negatives' GATA site lies anywhere else that does not overlap it.

    Parameters
    ----------
    n : int, default=2000
        Number of sequences.
    length : int, default=50
        Bases per sequence (20 to 1,000; at least ``12 + spacing + 6`` for "spacing").
    rule : {"spacing", "presence"}, default="spacing"
    spacing : int, default=4
        Bases between the E-box and the GATA site of a composite element (0 to 50).
    mutation : float, default=0.1
        Probability that each base of a planted site is replaced by another base, in
        [0, 0.5].
    gc_content : float, default=0.4
        Share of G and C in the background, in [0.1, 0.9] (the human genome: about 0.41;
        some bacteria: above 0.6). A different value is a shift of the distribution that a
        model pre-trained on the default never saw.
    prevalence : float, default=0.5
        Probability that a sequence is positive, in [0, 1].
    random_state : int, Generator or None
        Seeds everything; the same value gives the same sequences.

    Returns
    -------
    data : Dataset
        ``data.frame``: one row per sequence, indexed by ``sequence_id``, with ``sequence``
        (a string over ACGT) and ``label``, the target.
    truth : SequenceTruth
        The planted sites (positions and bases), a per-position map of them, the rule.

    Examples
    --------
    >>> import biomedkit as bk
    >>> data, truth = bk.simulate.sequences(n=100, rule="spacing", random_state=0)
    >>> len(data.frame.sequence[0]), sorted(data.y.unique().tolist())
    (50, [0, 1])
    >>> bool((truth.labels_from_sites() == data.y.to_numpy()).all())
    True
    """
    n = check_int(n, "n", 1)
    length = check_int(length, "length", 20)
    if length > 1000:
        raise ValueError(f"length must be an integer in [20, 1000]; got {length!r}")
    if not isinstance(rule, str):
        raise TypeError(f"rule must be one of {sorted(RULES)} (a string); got {type(rule).__name__}")
    if rule not in RULES:
        raise ValueError(f"rule must be one of {sorted(RULES)}; got {rule!r}")
    spacing = check_int(spacing, "spacing", 0)
    if spacing > 50:
        raise ValueError(f"spacing must be an integer in [0, 50]; got {spacing!r}")
    width = len(MOTIFS["ebox"])
    if rule == "spacing" and length < 2 * width + spacing + 6:
        raise ValueError(f"length must be at least {2 * width + spacing + 6} for rule='spacing' "
                         f"with spacing={spacing} (two sites, their spacing and room to move); "
                         f"got {length}")
    mutation = check_float(mutation, "mutation", 0, 0.5)
    gc_content = check_float(gc_content, "gc_content", 0.1, 0.9)
    background = {"A": (1 - gc_content) / 2, "C": gc_content / 2, "G": gc_content / 2, "T": (1 - gc_content) / 2}
    prevalence = check_float(prevalence, "prevalence", 0, 1)
    rng = check_random_state(random_state)

    codes = _background(n, length, background, rng)
    label = (rng.random(n) < prevalence).astype(np.int64)
    starts = _place_presence(label, length, width, rng) if rule == "presence" else \
        _place_spacing(label, length, width, spacing, rng)
    site_map = np.full((n, length), -1, np.int8)
    rows = []
    for index, (motif, consensus) in enumerate(MOTIFS.items()):
        start = starts[motif]
        ids = np.flatnonzero(start >= 0)
        planted = _mutate(np.array([ALPHABET.index(b) for b in consensus]), len(ids), mutation, rng)
        columns = start[ids, None] + np.arange(width)
        codes[ids[:, None], columns] = planted
        site_map[ids[:, None], columns] = index
        rows.append(pd.DataFrame({"sequence_id": ids, "motif": motif, "start": start[ids],
                                  "end": start[ids] + width,
                                  "planted": ["".join(ALPHABET[c] for c in p) for p in planted]}))
    sites = pd.concat(rows, ignore_index=True).sort_values(["sequence_id", "start"], ignore_index=True)

    letters = np.array(list(ALPHABET))[codes]
    frame = pd.DataFrame({"sequence": ["".join(row) for row in letters], "label": label},
                         index=pd.RangeIndex(n, name="sequence_id"))
    truth = SequenceTruth(rule=rule, description=RULES[rule].replace("`spacing`", str(spacing)),
                          motifs=dict(MOTIFS), sites=sites, site_map=site_map, spacing=spacing,
                          mutation=mutation, background=background)
    return as_dataset(frame, truth, name="sequences", target="label", sites=""), truth


def _background(n, length, background, rng):
    """Independent bases; sequences that hold a consensus site by chance are redrawn."""
    p = [background[b] for b in ALPHABET]
    codes = rng.choice(4, size=(n, length), p=p).astype(np.int8)
    for _ in range(_MAX_REDRAWS):
        bad = _holds_consensus(codes)
        if not bad.any():
            return codes
        codes[bad] = rng.choice(4, size=(int(bad.sum()), length), p=p)
    raise RuntimeError("could not draw background sequences free of consensus sites")  # pragma: no cover


def _holds_consensus(codes):
    """True for each row of ``codes`` that contains the consensus of any motif."""
    width = len(MOTIFS["ebox"])
    windows = np.lib.stride_tricks.sliding_window_view(codes, width, axis=1)
    found = np.zeros(len(codes), bool)
    for consensus in MOTIFS.values():
        target = np.array([ALPHABET.index(b) for b in consensus], np.int8)
        found |= (windows == target).all(axis=2).any(axis=1)
    return found


def _place_presence(label, length, width, rng):
    """An E-box in each positive sequence; a GATA site in half of all, not overlapping it."""
    n = len(label)
    ebox = np.where(label == 1, rng.integers(0, length - width + 1, n), -1)
    gata = np.where(rng.random(n) < 0.5, 0, -1)
    todo = gata == 0
    while todo.any():
        gata[todo] = rng.integers(0, length - width + 1, int(todo.sum()))
        todo = (gata >= 0) & (ebox >= 0) & (np.abs(gata - ebox) < width)
    return {"ebox": ebox, "gata": gata}


def _place_spacing(label, length, width, spacing, rng):
    """One E-box and one GATA site per sequence: composite in positives, anything else in negatives."""
    n = len(label)
    ebox = rng.integers(0, length - 2 * width - spacing + 1, n)
    composite = ebox + width + spacing
    gata = composite.copy()
    todo = label == 0
    while todo.any():
        gata[todo] = rng.integers(0, length - width + 1, int(todo.sum()))
        todo = (label == 0) & ((np.abs(gata - ebox) < width) | (gata == composite))
    return {"ebox": ebox, "gata": gata}


def _mutate(consensus, count, mutation, rng):
    """``count`` copies of ``consensus`` (codes), each base replaced with probability ``mutation``."""
    planted = np.tile(consensus, (count, 1))
    change = rng.random(planted.shape) < mutation
    # another base, uniformly among the three that differ
    planted[change] = (planted[change] + rng.integers(1, 4, int(change.sum()))) % 4
    return planted.astype(np.int8)
