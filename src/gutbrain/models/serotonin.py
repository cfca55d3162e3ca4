"""Serotonin synthesis: the pathway per tissue, kinetic constants, and the lesson's data tables.

Pure functions, no widgets, no plotting. Three kinds of content live here:

* the pathway graph (metabolites as nodes, enzymes as edges) and, per tissue, what the course's
  sources say about each enzyme there, each statement carrying a citation key;
* kinetic constants read straight from the Stavrum et al. (2013) SBML file, so that the numbers a
  learner hovers over are the file's, not copies (the file declares no units: they are read as mM,
  following its provenance note);
* loaders and comparisons for ``assets/data/microbiome_serotonin.csv`` and
  ``assets/data/serotonin_distribution.csv``.
"""
from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType
from typing import Mapping

from gutbrain.data import AssetError, asset_path, load_csv
from gutbrain.models.tryptophan import MODEL_FILE, UM_PER_MM

_SBML_NS = {"sbml": "http://www.sbml.org/sbml/level2/version4"}

# ---------------------------------------------------------------------------------------------
# Pathway graph
# ---------------------------------------------------------------------------------------------

#: Metabolite id -> (short label shown in the box, x, y) in the pathway diagram (layout units:
#: one step to the right per reaction, the serotonin branch on top, the kynurenine branch below).
METABOLITE_NODES: Mapping[str, tuple[str, float, float]] = MappingProxyType({
    "tryptophan": ("Tryptophan", 0.0, 1.0),
    "5-HTP": ("5-HTP", 1.0, 1.0),
    "serotonin": ("Serotonin", 2.0, 1.0),
    "5-HIAA": ("5-HIAA", 3.0, 1.0),
    "kynurenine": ("Kynurenine", 1.0, 0.0),
})
#: Metabolite id -> full name, for hover text and the text alternative.
METABOLITE_NAMES: Mapping[str, str] = MappingProxyType({
    "tryptophan": "tryptophan (an essential amino acid)",
    "5-HTP": "5-hydroxytryptophan (5-HTP)",
    "serotonin": "serotonin (5-hydroxytryptamine, 5-HT)",
    "5-HIAA": "5-hydroxyindoleacetic acid (5-HIAA), via an aldehyde",
    "kynurenine": "N-formylkynurenine, then kynurenine",
})


@dataclass(frozen=True)
class EnzymeEdge:
    """One enzyme-catalysed step: ``substrate`` → ``product``."""

    enzyme: str
    name: str
    substrate: str
    product: str
    #: Vertical offset of the edge in the diagram, so parallel edges (TPH1/TPH2) do not overlap.
    offset: float = 0.0


ENZYME_EDGES: tuple[EnzymeEdge, ...] = (
    EnzymeEdge("TPH1", "tryptophan hydroxylase 1", "tryptophan", "5-HTP", offset=0.12),
    EnzymeEdge("TPH2", "tryptophan hydroxylase 2", "tryptophan", "5-HTP", offset=-0.12),
    EnzymeEdge("AADC", "aromatic L-amino acid decarboxylase (AADC, gene DDC)", "5-HTP", "serotonin"),
    EnzymeEdge("MAO-A", "monoamine oxidase A (then aldehyde dehydrogenase)", "serotonin", "5-HIAA", offset=0.12),
    EnzymeEdge("MAO-B", "monoamine oxidase B (then aldehyde dehydrogenase)", "serotonin", "5-HIAA", offset=-0.12),
    EnzymeEdge("TDO2", "tryptophan 2,3-dioxygenase", "tryptophan", "kynurenine", offset=0.12),
    EnzymeEdge("IDO1", "indoleamine 2,3-dioxygenase 1", "tryptophan", "kynurenine", offset=-0.12),
)
ENZYMES = tuple(e.enzyme for e in ENZYME_EDGES)

# ---------------------------------------------------------------------------------------------
# Which enzyme acts in which tissue, and who says so
# ---------------------------------------------------------------------------------------------

TISSUES: Mapping[str, str] = MappingProxyType({
    "gut_ec": "Gut enterochromaffin (EC) cell",
    "liver": "Liver cell (hepatocyte)",
    "brain_neuron": "Brain serotonergic neuron",
})
#: Short tissue names for controls and titles (they must fit at notebook width).
TISSUE_SHORT: Mapping[str, str] = MappingProxyType({
    "gut_ec": "gut EC cell",
    "liver": "liver cell",
    "brain_neuron": "brain neuron",
})

#: How firmly the course can say an enzyme acts in a tissue.
STATUS_LABELS: Mapping[str, str] = MappingProxyType({
    "acts": "acts here (a source says so)",
    "model": "present in the Stavrum 2013 liver model (expression data), not a measurement",
    "inferred": "inferred: this cell makes the product, but no source seen names the enzyme here",
    "elsewhere": "a source places this enzyme elsewhere",
    "not_verified": "no source checked by the course",
})
ACTIVE_STATUSES = frozenset({"acts", "model", "inferred"})


@dataclass(frozen=True)
class EnzymeInTissue:
    enzyme: str
    tissue: str
    status: str
    #: Citation keys (assets/references.yaml); empty only when status is "not_verified".
    sources: tuple[str, ...]
    #: What the source says, quoted where possible, or why the status was chosen.
    note: str

    @property
    def active(self) -> bool:
        return self.status in ACTIVE_STATUSES


_GERSHON_TPH = ('"Serotonin is synthesized through the actions of 2 different tryptophan '
                'hydroxylases, TpH1 and TpH2, which are found, respectively, in EC cells and neurons."')
_KIM_BBB = ('"5-HT is biosynthesized centrally by TPH2 and peripherally by TPH1."')
_MODEL_NOTE = ("The liver parameterisation of the Stavrum 2013 model gives this enzyme a non-zero "
               "expression value; that is a model input, not a measured activity in liver.")


def _row(enzyme, tissue, status, sources, note):
    return EnzymeInTissue(enzyme, tissue, status, tuple(sources), note)


TISSUE_ENZYMES: tuple[EnzymeInTissue, ...] = (
    # gut enterochromaffin cell
    _row("TPH1", "gut_ec", "acts", ["gershon2007", "kim2018"], _GERSHON_TPH + " " + _KIM_BBB),
    _row("TPH2", "gut_ec", "elsewhere", ["gershon2007"], _GERSHON_TPH + " (TPH2: neurons.)"),
    _row("AADC", "gut_ec", "inferred", ["yano2015", "stavrum2013"],
         'EC cells make 5-HT ("5-HT biosynthesis from colonic enterochromaffin cells", Yano 2015), '
         "which needs the decarboxylation step (the model's DDC_5HTrp reaction); no stored source "
         "seen names AADC in EC cells."),
    _row("MAO-A", "gut_ec", "inferred", ["reigstad2015", "gershon2007"],
         'Colonic Tph1 and "monoamine oxidase A (serotonin catabolism)" mRNAs were measured in mouse '
         'colon (Reigstad 2015): MAO-A is in gut tissue. Released 5-HT "is inactivated by the serotonin '
         'reuptake transporter (SERT)-mediated uptake into enterocytes or neurons" (Gershon & Tack 2007), '
         "so breakdown happens mostly in neighbouring cells, not necessarily in the EC cell."),
    _row("MAO-B", "gut_ec", "not_verified", [], "No source checked by the course places MAO-B in gut tissue."),
    _row("TDO2", "gut_ec", "not_verified", [], "No source checked by the course."),
    _row("IDO1", "gut_ec", "not_verified", [], "No source checked by the course."),
    # liver
    _row("TDO2", "liver", "acts", ["ye2019", "badawy2017"],
         '"TDO is mainly expressed in the liver" (Ye 2019); the kynurenine pathway "accounts for ~95% of '
         'dietary Trp degradation, of which 90% is attributed to the hepatic KP" (Badawy 2017).'),
    _row("IDO1", "liver", "model", ["stavrum2013", "badawy2017"],
         _MODEL_NOTE + ' Badawy 2017: "During immune activation, the minor extrahepatic KP plays a more '
         'active role."'),
    _row("TPH1", "liver", "model", ["stavrum2013"], _MODEL_NOTE),
    _row("TPH2", "liver", "model", ["stavrum2013"], _MODEL_NOTE),
    _row("AADC", "liver", "model", ["stavrum2013"], _MODEL_NOTE),
    _row("MAO-A", "liver", "model", ["stavrum2013"], _MODEL_NOTE),
    _row("MAO-B", "liver", "model", ["stavrum2013"],
         _MODEL_NOTE + " In this model MAO-B has about twice MAO-A's enzyme amount and the same Km, so it "
         "carries most serotonin breakdown (see mao_serotonin_breakdown_shares)."),
    # brain serotonergic neuron
    _row("TPH2", "brain_neuron", "acts", ["gershon2007", "kim2018", "alenina2009"],
         _GERSHON_TPH + ' "the majority of central serotonin is generated by TPH2" (Alenina 2009, mice).'),
    _row("TPH1", "brain_neuron", "elsewhere", ["kim2018"], _KIM_BBB),
    _row("AADC", "brain_neuron", "inferred", ["alenina2009", "stavrum2013"],
         "Neurons make 5-HT from tryptophan, which needs the decarboxylation step (the model's DDC_5HTrp "
         "reaction); no stored source seen names AADC in these neurons."),
    _row("MAO-A", "brain_neuron", "not_verified", [],
         "No source checked by the course places MAO-A in serotonergic neurons."),
    _row("MAO-B", "brain_neuron", "not_verified", [],
         "No source checked by the course places MAO-B in serotonergic neurons."),
    _row("TDO2", "brain_neuron", "not_verified", [], "No source checked by the course."),
    _row("IDO1", "brain_neuron", "not_verified", [], "No source checked by the course."),
)


def enzymes_in_tissue(tissue: str) -> dict[str, EnzymeInTissue]:
    """Enzyme -> what the course's sources say about it in ``tissue`` (every enzyme present)."""
    if tissue not in TISSUES:
        raise ValueError(f"unknown tissue {tissue!r}; choose one of {', '.join(TISSUES)}")
    return {row.enzyme: row for row in TISSUE_ENZYMES if row.tissue == tissue}


# ---------------------------------------------------------------------------------------------
# Kinetic constants from the SBML file
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class KineticConstant:
    enzyme: str
    substrate: str
    #: "global:<id>" or "local:<reaction id>/<parameter id>" inside the SBML file.
    parameter: str
    value_mM: float
    note: str = ""
    source: str = "stavrum2013"

    @property
    def value_uM(self) -> float:
        return self.value_mM * UM_PER_MM


_BISUBSTRATE_NOTE = ("Local parameter Ka of the reaction's kinetic law; the rate law's denominator is "
                     "(Ka + [Trp])·(Kb + [O2]) written out, so Ka is the Km for tryptophan and Kb for O2.")

#: Enzyme -> (substrate, where the Km lives in the SBML file, note).
KM_PARAMETERS: Mapping[str, tuple[tuple[str, str, str], ...]] = MappingProxyType({
    "TPH1": (("tryptophan", "local:R01814_Tph1/Ka", _BISUBSTRATE_NOTE),
             ("O2", "local:R01814_Tph1/Kb", "")),
    "TPH2": (("tryptophan", "local:R01814_Tph2/Ka", _BISUBSTRATE_NOTE),
             ("O2", "local:R01814_Tph2/Kb", "")),
    "AADC": (("5-HTP", "global:DDC_Km_5htrp", ""),
             ("tryptophan (competing substrate)", "global:DDC_Km_trp_DASH_L", "")),
    "MAO-A": (("serotonin", "global:MAO_Km_srtn", "shared by MAO-A and MAO-B in the model"),),
    "MAO-B": (("serotonin", "global:MAO_Km_srtn", "shared by MAO-A and MAO-B in the model"),),
    "TDO2": (("tryptophan", "local:R00678_Tdo/Ka", _BISUBSTRATE_NOTE),
             ("O2", "local:R00678_Tdo/Kb", "")),
    "IDO1": (("tryptophan", "global:IDO_Km_trp_DASH_L", ""),
             ("O2", "global:IDO_Km_O2", "")),
})


@lru_cache(maxsize=1)
def sbml_parameters() -> Mapping[str, float]:
    """Every parameter value in the SBML file: ``global:<id>`` and ``local:<reaction>/<id>``."""
    path = asset_path(MODEL_FILE)
    root = ET.parse(path).getroot()
    model = root.find("sbml:model", _SBML_NS)
    if model is None:
        raise AssetError(f"{path}: no SBML Level 2 Version 4 <model> element")
    values: dict[str, float] = {}
    for p in model.iterfind("sbml:listOfParameters/sbml:parameter", _SBML_NS):
        values[f"global:{p.get('id')}"] = float(p.get("value"))
    for reaction in model.iterfind("sbml:listOfReactions/sbml:reaction", _SBML_NS):
        for p in reaction.iterfind("sbml:kineticLaw/sbml:listOfParameters/sbml:parameter", _SBML_NS):
            values[f"local:{reaction.get('id')}/{p.get('id')}"] = float(p.get("value"))
    return MappingProxyType(values)


def kinetic_constants(enzyme: str) -> list[KineticConstant]:
    """Km values of ``enzyme`` as the SBML file gives them (read as mM)."""
    if enzyme not in KM_PARAMETERS:
        raise ValueError(f"unknown enzyme {enzyme!r}; known: {', '.join(KM_PARAMETERS)}")
    params = sbml_parameters()
    out = []
    for substrate, where, note in KM_PARAMETERS[enzyme]:
        if where not in params:
            raise AssetError(f"{MODEL_FILE}: parameter {where} not found (was the file replaced?)")
        out.append(KineticConstant(enzyme, substrate, where, params[where], note))
    return out


#: SBML reactions that break serotonin down, by enzyme (MAOA_Serotonin, MAOB_Serotonin).
SEROTONIN_BREAKDOWN_REACTIONS: Mapping[str, str] = MappingProxyType({
    "MAO-A": "R02908_Maoa", "MAO-B": "R02908_Maob",
})


def mao_serotonin_breakdown_shares(state=None) -> dict[str, float]:
    """Share (0..1) of serotonin breakdown carried by MAO-A and by MAO-B in the liver model.

    ``state`` is a ``TryptophanSteadyState`` (default: the model at its file's defaults). The two
    reactions share one rate law and one Km (``MAO_Km_srtn``), so the split follows the enzyme
    amounts the liver parameterisation gives them (``MAOA_E_T``, ``MAOB_E_T``).
    """
    from gutbrain.models.tryptophan import steady_state

    state = steady_state() if state is None else state
    fluxes = {enzyme: state.reaction_fluxes[rid] for enzyme, rid in SEROTONIN_BREAKDOWN_REACTIONS.items()}
    total = sum(fluxes.values())
    if total <= 0:
        return {enzyme: 0.0 for enzyme in fluxes}
    return {enzyme: flux / total for enzyme, flux in fluxes.items()}


# ---------------------------------------------------------------------------------------------
# Data tables
# ---------------------------------------------------------------------------------------------

MICROBIOME_FILE = "data/microbiome_serotonin.csv"
MICROBIOME_COLUMNS = ("source", "species", "tissue", "group", "unit", "evidence_tier", "where", "source_note")
DISTRIBUTION_FILE = "data/serotonin_distribution.csv"
DISTRIBUTION_COLUMNS = ("source", "label", "compartment", "measure", "quote", "kind", "evidence_tier", "where")
#: How a distribution statement is expressed.
DISTRIBUTION_KINDS = ("lower_bound", "approximate", "qualitative", "not_verified")


@dataclass(frozen=True)
class GroupMeasurement:
    """One group's value in one experiment (a row of microbiome_serotonin.csv)."""

    study: str
    species: str
    tissue: str
    group: str
    value: float | None  # None: not verified, shown as design only
    error: float | None
    error_type: str
    n: str
    unit: str
    evidence_tier: str
    source_note: str

    @property
    def verified_value(self) -> bool:
        return self.value is not None


def _optional_float(text: str | None) -> float | None:
    text = (text or "").strip()
    if not text:
        return None
    value = float(text)
    if not math.isfinite(value):
        raise AssetError(f"{MICROBIOME_FILE}: non-finite number {text!r}")
    return value


def load_microbiome_serotonin() -> list[GroupMeasurement]:
    rows = load_csv(MICROBIOME_FILE, MICROBIOME_COLUMNS)
    return [
        GroupMeasurement(
            study=r["source"], species=r["species"], tissue=r["tissue"], group=r["group"],
            value=_optional_float(r.get("value")), error=_optional_float(r.get("error")),
            error_type=(r.get("error_type") or "").strip() or "not stated",
            n=(r.get("n") or "").strip() or "not verified",
            unit=r["unit"], evidence_tier=r["evidence_tier"], source_note=r["source_note"],
        )
        for r in rows
    ]


@dataclass(frozen=True)
class Comparison:
    """A learner-pickable comparison: two groups of one study, one tissue."""

    key: str
    label: str
    study: str
    tissue: str
    groups: tuple[str, ...]


COMPARISONS: Mapping[str, Comparison] = MappingProxyType({
    "reigstad_gf_cr": Comparison("reigstad_gf_cr", "Reigstad 2015 (mice): germ-free vs conventionally raised",
                                 "reigstad2015", "colon", ("GF", "CR")),
    "reigstad_gf_hm": Comparison("reigstad_gf_hm", "Reigstad 2015 (mice): germ-free vs humanized",
                                 "reigstad2015", "colon", ("GF", "HM")),
    "reigstad_all": Comparison("reigstad_all", "Reigstad 2015 (mice): all three groups",
                               "reigstad2015", "colon", ("GF", "HM", "CR")),
    "yano_colon": Comparison("yano_colon", "Yano 2015 (mice): colon 5-HT, SPF vs germ-free",
                             "yano2015", "colon", ("SPF", "GF")),
    "yano_serum": Comparison("yano_serum", "Yano 2015 (mice): serum 5-HT, SPF vs germ-free",
                             "yano2015", "serum", ("SPF", "GF")),
})


def comparison_rows(key: str, rows: list[GroupMeasurement] | None = None) -> list[GroupMeasurement]:
    """The data rows of one comparison, in the comparison's group order."""
    if key not in COMPARISONS:
        raise ValueError(f"unknown comparison {key!r}; choose one of {', '.join(COMPARISONS)}")
    comp = COMPARISONS[key]
    rows = load_microbiome_serotonin() if rows is None else rows
    by_group = {r.group: r for r in rows if r.study == comp.study and r.tissue == comp.tissue}
    missing = [g for g in comp.groups if g not in by_group]
    if missing:
        raise AssetError(f"{MICROBIOME_FILE}: no row for {comp.study}/{comp.tissue}/{', '.join(missing)}")
    return [by_group[g] for g in comp.groups]


@dataclass(frozen=True)
class RatioOfMeans:
    numerator: str
    denominator: str
    ratio: float  # dimensionless; the units cancel
    unit_cancelled: str

    @property
    def percent(self) -> float:
        return 100.0 * self.ratio


def ratio_of_means(numerator: GroupMeasurement, denominator: GroupMeasurement) -> RatioOfMeans | None:
    """Ratio of two group means (same study, same unit), or None if either value is unverified.

    Only the means: the abstract does not say whether ± is SEM or SD nor give n, so no
    confidence interval of the ratio is computed.
    """
    if numerator.unit != denominator.unit:
        raise ValueError(f"cannot compare {numerator.unit} with {denominator.unit}")
    if numerator.value is None or denominator.value is None:
        return None
    if denominator.value == 0:
        raise ValueError("the denominator group's mean is zero")
    return RatioOfMeans(numerator.group, denominator.group, numerator.value / denominator.value,
                        numerator.unit)


def comparison_summary(key: str, rows: list[GroupMeasurement] | None = None) -> str:
    """One plain-language paragraph about a comparison: values, ratio, what is not known."""
    comp = COMPARISONS[key]
    data = comparison_rows(key, rows)
    first = data[0]
    if not all(r.verified_value for r in data):
        return (f"{comp.label}. Values not verified, so none are shown: the course could not read the "
                f"numbers in any stored copy. What is verified: {first.source_note} "
                f"Species: {first.species}. Evidence tier: {first.evidence_tier}. n = {first.n}.")
    parts = [f"{r.group} {r.value:g} ± {r.error:g} {r.unit}" for r in data]
    text = (f"{comp.label}: colonic serotonin {'; '.join(parts)} (type of ±: {first.error_type}; "
            f"n per group: {first.n}).")
    base = data[-1]
    for other in data[:-1]:
        ratio = ratio_of_means(other, base)
        text += (f" {other.group} mean is {ratio.percent:.0f}% of the {base.group} mean "
                 f"(ratio of means, computed here; units {ratio.unit_cancelled} cancel).")
    return text + f" Species: {first.species}. Evidence tier: {first.evidence_tier}."


@dataclass(frozen=True)
class DistributionStatement:
    source: str
    compartment: str
    measure: str
    low_percent: float | None
    high_percent: float | None
    quote: str
    kind: str
    evidence_tier: str
    label: str = ""
    where: str = ""


def load_serotonin_distribution() -> list[DistributionStatement]:
    rows = load_csv(DISTRIBUTION_FILE, DISTRIBUTION_COLUMNS)
    out = []
    for number, r in enumerate(rows, start=2):
        if r["kind"] not in DISTRIBUTION_KINDS:
            raise AssetError(f"{DISTRIBUTION_FILE}, row {number}: kind must be one of "
                             f"{', '.join(DISTRIBUTION_KINDS)}, got {r['kind']!r}")
        low, high = _optional_float(r.get("low_percent")), _optional_float(r.get("high_percent"))
        if r["kind"] in ("lower_bound", "approximate") and low is None:
            raise AssetError(f"{DISTRIBUTION_FILE}, row {number}: a {r['kind']} row needs low_percent")
        if r["kind"] in ("qualitative", "not_verified") and (low is not None or high is not None):
            raise AssetError(f"{DISTRIBUTION_FILE}, row {number}: a {r['kind']} row must not carry a number")
        out.append(DistributionStatement(r["source"], r["compartment"], r["measure"], low, high,
                                         r["quote"], r["kind"], r["evidence_tier"], r["label"], r["where"]))
    return out
