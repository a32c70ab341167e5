//! What the extractor knows, read from the embedded `ontology/` files: the gazetteer of regions,
//! the concept schemes with their cue words, the relation lexicon and the folding table.
//!
//! Everything here is data; the rules in `extract` are the mechanism that reads it. The files are
//! embedded at compile time, so the binary runs from any directory.

use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::{Quad, Term};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, OnceLock};

/// Namespace of the public vocabulary.
pub const XZ: &str = "https://w3id.org/xiezuo/ontology#";
/// Namespace of instances (regions, pairings, documents, evidence).
pub const ID: &str = "https://w3id.org/xiezuo/id/";
/// Named graph that holds the ontology and gazetteer in the store.
pub const ONTOLOGY_GRAPH: &str = "https://w3id.org/xiezuo/graph/ontology";

const RDFS_LABEL: &str = "http://www.w3.org/2000/01/rdf-schema#label";
const SKOS: &str = "http://www.w3.org/2004/02/skos/core#";

/// The ontology files as they are loaded into the store: (file name, Turtle text).
pub const ONTOLOGY_FILES: &[(&str, &str)] = &[
    ("xiezuo.ttl", include_str!("../ontology/xiezuo.ttl")),
    ("concepts.ttl", include_str!("../ontology/concepts.ttl")),
    ("regions.ttl", include_str!("../ontology/regions.ttl")),
];
const LEXICON_TSV: &str = include_str!("../ontology/lexicon.tsv");
const FOLD_TSV: &str = include_str!("../ontology/fold-chars.tsv");
const NUMBERS_TSV: &str = include_str!("../ontology/numbers.tsv");

/// Prefixes declared in the shell, in queries and in exported Turtle.
pub const PREFIXES: &[(&str, &str)] = &[
    ("xz", XZ),
    ("reg", "https://w3id.org/xiezuo/id/region/"),
    ("pairing", "https://w3id.org/xiezuo/id/pairing/"),
    ("doc", "https://w3id.org/xiezuo/id/document/"),
    ("ev", "https://w3id.org/xiezuo/id/evidence/"),
    ("outcome", "https://w3id.org/xiezuo/id/outcome/"),
    ("policy", "https://w3id.org/xiezuo/id/policy/"),
    ("event", "https://w3id.org/xiezuo/id/event/"),
    ("rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"),
    ("rdfs", "http://www.w3.org/2000/01/rdf-schema#"),
    ("xsd", "http://www.w3.org/2001/XMLSchema#"),
    ("owl", "http://www.w3.org/2002/07/owl#"),
    ("skos", SKOS),
    ("prov", "http://www.w3.org/ns/prov#"),
    ("dct", "http://purl.org/dc/terms/"),
];

/// Which side of the programme a region takes part on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Side {
    East,
    West,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    Province,
    Prefecture,
    County,
}

/// Index of a region in [`Knowledge::regions`].
pub type RegionId = usize;

#[derive(Debug, Clone)]
pub struct Region {
    /// GB/T 2260 code, e.g. "350000".
    pub code: String,
    pub level: Level,
    pub parent: Option<RegionId>,
    /// The curated side, or the nearest ancestor's.
    pub side: Option<Side>,
    /// rdfs:label per language tag, lower-cased as RDF parsers give them ("zh-hans", "en", …).
    pub labels: BTreeMap<String, String>,
    /// Every written form to look for in texts: labels and alternative labels, any language.
    pub names: Vec<String>,
    /// One-character abbreviations that pair names are made of (闽 in 闽宁).
    pub abbreviations: Vec<String>,
}

impl Region {
    /// The label in `lang` (a BCP 47 tag, any case), else the simplified Chinese one.
    pub fn label(&self, lang: &str) -> &str {
        self.labels
            .get(&lang.to_ascii_lowercase())
            .or_else(|| self.labels.get("zh-hans"))
            .map(String::as_str)
            .unwrap_or(&self.code)
    }
}

/// A SKOS concept the extractor links pairings to, with the property that links it.
#[derive(Debug, Clone)]
pub struct Concept {
    /// Full IRI of the concept. Shared: every fact that names the concept holds a clone.
    pub iri: Arc<str>,
    /// Full IRI of the linking property (xz:model, xz:pillar, xz:field, xz:unit, xz:indicator).
    pub link_property: Arc<str>,
    /// Full IRI of the class of facts the concept describes (xz:Pairing, xz:Outcome).
    pub applies_to: String,
    /// `applies_to` and `link_property` as the rules ask about them, decided when the knowledge
    /// loads rather than by comparing IRIs at every cue.
    pub describes: Describes,
    pub is_indicator: bool,
    /// A unit whose numbers report a result even with no indicator cue (xz:reportsResultAlone).
    pub reports_result_alone: bool,
    pub cues: Vec<String>,
}

/// The kind of fact a concept describes, as far as the rules distinguish them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Describes {
    Pairings,
    Events,
    Other,
}

/// Kinds of cue in `ontology/lexicon.tsv`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CueKind {
    Pairing,
    PairingPassive,
    PairingSymmetric,
    CompoundSuffix,
    Adjusted,
    RelatedHeading,
    /// Starts a list of references (参考文献, Notes et références): it and every line after it
    /// are boilerplate.
    ReferencesHeading,
    /// A document-type mark of a reference list item ([J], [M], [EB/OL]).
    ReferenceMark,
    KeywordsHeading,
    NotAPlace,
    MoreThan,
    Nearly,
    About,
    MoreThanAfter,
    NearlyAfter,
    AboutAfter,
    /// Two lists pair item by item (分别, respectively).
    Respectively,
    /// The clause compares regions (与…相比, compared with): its regions pair with nothing.
    Comparison,
    /// The clause tells that regions left the programme (不再纳入, 対象から外れた, no longer
    /// covered): its regions pair with nothing.
    Excluded,
    /// A word that may stand between a number and its unit ("5,700 *local* enterprises").
    UnitModifier,
    /// The clause tells a plan or an expectation (预计, will, prévu): its numbers, and those of
    /// the clauses after it, are not outcomes.
    Planned,
    /// The clause gives a region's economy or population, or a statistical estimate (地区生产
    /// 总值, GDP, 常住人口, regression): its numbers, and those after it, are not outcomes.
    Statistics,
    /// Written right before a year, makes it a start (自2017年, since 1996, depuis 1996).
    SinceBefore,
    /// Written right after a year (and its month), makes it a start (2017年以来, 1996年から).
    SinceAfter,
    /// Stands for the two sides of a pairing (双方, the two sides, les deux provinces).
    Anaphor,
    /// Another name of a pair name: "两广 粤桂".
    PairAlias,
    /// Joins the items of a list of names (和, and, et, và): two names joined by one are listed
    /// together, neither qualifies the other.
    ListJoiner,
    /// Speaks of each pair of the list stated right before (各结对城市, each pair).
    Distributive,
    /// Written right before a place, in a sentence reporting a meeting, makes it the venue
    /// ("tại Thiên Tân", "à Hohhot").
    Venue,
    /// Starts the caption of a table (表, Table, Tableau, Bảng).
    TableCaption,
    /// Says that the unit follows, after a colon (单位：万元, Unit: persons).
    UnitLabel,
}

impl CueKind {
    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "pairing" => Self::Pairing,
            "pairing-passive" => Self::PairingPassive,
            "pairing-symmetric" => Self::PairingSymmetric,
            "compound-suffix" => Self::CompoundSuffix,
            "adjusted" => Self::Adjusted,
            "related-heading" => Self::RelatedHeading,
            "references-heading" => Self::ReferencesHeading,
            "reference-mark" => Self::ReferenceMark,
            "keywords-heading" => Self::KeywordsHeading,
            "not-a-place" => Self::NotAPlace,
            "more-than" => Self::MoreThan,
            "nearly" => Self::Nearly,
            "about" => Self::About,
            "more-than-after" => Self::MoreThanAfter,
            "nearly-after" => Self::NearlyAfter,
            "about-after" => Self::AboutAfter,
            "respectively" => Self::Respectively,
            "comparison" => Self::Comparison,
            "excluded" => Self::Excluded,
            "unit-modifier" => Self::UnitModifier,
            "planned" => Self::Planned,
            "statistics" => Self::Statistics,
            "since-before" => Self::SinceBefore,
            "since-after" => Self::SinceAfter,
            "anaphor" => Self::Anaphor,
            "pair-alias" => Self::PairAlias,
            "list-joiner" => Self::ListJoiner,
            "table-caption" => Self::TableCaption,
            "venue" => Self::Venue,
            "distributive" => Self::Distributive,
            "unit-label" => Self::UnitLabel,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone)]
pub struct Cue {
    pub kind: CueKind,
    /// As written in the lexicon, without the trailing `*`.
    pub text: String,
    /// A trailing `*` in the lexicon: any word ending may follow.
    pub prefix: bool,
}

/// How texts write numbers, from `ontology/numbers.tsv` (texts as written, not yet folded).
#[derive(Debug, Default)]
pub struct Numbers {
    /// 万 = 10 000, billion = 1 000 000 000 …
    pub multipliers: Vec<(String, f64)>,
    /// eight = 8, huit = 8, 九つ = 9 …
    pub words: Vec<(String, f64)>,
    /// 十三五 = 2016–2020 …
    pub periods: Vec<(String, i32, i32)>,
}

/// Everything the extractor knows, loaded once.
#[derive(Debug)]
pub struct Knowledge {
    pub regions: Vec<Region>,
    pub concepts: Vec<Concept>,
    pub cues: Vec<Cue>,
    pub numbers: Numbers,
    /// Character folding for matching: traditional and shinjitai → simplified.
    pub fold: FoldTable,
    /// The cues of each kind, folded as the text they are compared with.
    folded_cues: HashMap<CueKind, Vec<String>>,
    by_code: HashMap<String, RegionId>,
}

impl Knowledge {
    /// The knowledge embedded in the binary. Panics only if the embedded files are broken, which
    /// the unit tests rule out.
    pub fn embedded() -> &'static Knowledge {
        static KNOWLEDGE: OnceLock<Knowledge> = OnceLock::new();
        KNOWLEDGE.get_or_init(|| {
            Knowledge::load(ONTOLOGY_FILES, LEXICON_TSV, NUMBERS_TSV, FOLD_TSV)
                .expect("the ontology files embedded in the binary are valid")
        })
    }

    /// The lexicon's cues of one kind, folded (for rules that compare them with view text
    /// themselves rather than through the matcher).
    pub fn folded_cues(&self, kind: CueKind) -> &[String] {
        self.folded_cues.get(&kind).map_or(&[], Vec::as_slice)
    }

    pub fn region_by_code(&self, code: &str) -> Option<RegionId> {
        self.by_code.get(code).copied()
    }

    /// True if `ancestor` contains `region` (directly or further up).
    pub fn is_ancestor(&self, ancestor: RegionId, region: RegionId) -> bool {
        let mut current = self.regions[region].parent;
        while let Some(p) = current {
            if p == ancestor {
                return true;
            }
            current = self.regions[p].parent;
        }
        false
    }

    pub fn load(
        turtle_files: &[(&str, &str)],
        lexicon: &str,
        numbers: &str,
        fold: &str,
    ) -> Result<Self, String> {
        let mut subjects: BTreeMap<String, Vec<(String, Term)>> = BTreeMap::new();
        for (name, text) in turtle_files {
            for quad in RdfParser::from_format(RdfFormat::Turtle).for_slice(text.as_bytes()) {
                let Quad {
                    subject,
                    predicate,
                    object,
                    ..
                } = quad.map_err(|e| format!("ontology/{name}: {e}"))?;
                let subject = match subject {
                    oxigraph::model::NamedOrBlankNode::NamedNode(n) => n.into_string(),
                    _ => continue,
                };
                subjects
                    .entry(subject)
                    .or_default()
                    .push((predicate.into_string(), object));
            }
        }
        let (regions, by_code) = regions_from(&subjects)?;
        let concepts = concepts_from(&subjects);
        let cues = parse_lexicon(lexicon)?;
        let numbers = parse_numbers(numbers)?;
        let fold = parse_fold(fold)?;
        let mut knowledge = Knowledge {
            regions,
            concepts,
            cues,
            numbers,
            fold,
            folded_cues: HashMap::new(),
            by_code,
        };
        let mut folded_cues: HashMap<CueKind, Vec<String>> = HashMap::new();
        for cue in &knowledge.cues {
            let folded = crate::text::fold_str(&cue.text, &knowledge);
            folded_cues.entry(cue.kind).or_default().push(folded);
        }
        knowledge.folded_cues = folded_cues;
        Ok(knowledge)
    }
}

fn iri(term: &Term) -> Option<&str> {
    match term {
        Term::NamedNode(n) => Some(n.as_str()),
        _ => None,
    }
}

fn literal(term: &Term) -> Option<(&str, &str)> {
    match term {
        Term::Literal(l) => Some((l.value(), l.language().unwrap_or(""))),
        _ => None,
    }
}

fn regions_from(
    subjects: &BTreeMap<String, Vec<(String, Term)>>,
) -> Result<(Vec<Region>, HashMap<String, RegionId>), String> {
    let region_class = format!("{XZ}Region");
    let rdf_type = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";
    let mut regions = Vec::new();
    let mut by_code = HashMap::new();
    let mut parents: Vec<Option<String>> = Vec::new();
    let mut own_sides: Vec<Option<Side>> = Vec::new();
    for (subject, props) in subjects {
        if !props
            .iter()
            .any(|(p, o)| p == rdf_type && iri(o) == Some(region_class.as_str()))
        {
            continue;
        }
        let code = subject.rsplit('/').next().unwrap_or_default().to_owned();
        let mut region = Region {
            code: code.clone(),
            level: Level::County,
            parent: None,
            side: None,
            labels: BTreeMap::new(),
            names: Vec::new(),
            abbreviations: Vec::new(),
        };
        let mut parent = None;
        let mut side = None;
        for (p, o) in props {
            match p.strip_prefix(XZ) {
                Some("level") => {
                    region.level = match iri(o).and_then(|i| i.strip_prefix(XZ)) {
                        Some("ProvinceLevel") => Level::Province,
                        Some("PrefectureLevel") => Level::Prefecture,
                        _ => Level::County,
                    }
                }
                Some("parent") => {
                    parent = iri(o).map(|i| i.rsplit('/').next().unwrap_or_default().to_owned())
                }
                Some("side") => {
                    side = match iri(o).and_then(|i| i.strip_prefix(XZ)) {
                        Some("East") => Some(Side::East),
                        Some("West") => Some(Side::West),
                        _ => None,
                    }
                }
                Some("abbreviation") => {
                    if let Some((text, _)) = literal(o) {
                        region.abbreviations.push(text.to_owned());
                    }
                }
                _ => {
                    let is_label = p == RDFS_LABEL;
                    let is_alt = p.strip_prefix(SKOS) == Some("altLabel");
                    if let (true, Some((text, lang))) = (is_label || is_alt, literal(o)) {
                        if is_label {
                            region
                                .labels
                                .insert(lang.to_ascii_lowercase(), text.to_owned());
                        }
                        region.names.push(text.to_owned());
                    }
                }
            }
        }
        region.names.sort();
        region.names.dedup();
        by_code.insert(code, regions.len());
        regions.push(region);
        parents.push(parent);
        own_sides.push(side);
    }
    for (i, parent) in parents.iter().enumerate() {
        if let Some(code) = parent {
            let p = *by_code.get(code).ok_or_else(|| {
                format!(
                    "ontology/regions.ttl: region {} has unknown parent {code}",
                    regions[i].code
                )
            })?;
            regions[i].parent = Some(p);
        }
    }
    // A region's side is its own curated side or its nearest ancestor's.
    for i in 0..regions.len() {
        let mut current = Some(i);
        while let Some(c) = current {
            if let Some(side) = own_sides[c] {
                regions[i].side = Some(side);
                break;
            }
            current = regions[c].parent;
        }
    }
    Ok((regions, by_code))
}

fn concepts_from(subjects: &BTreeMap<String, Vec<(String, Term)>>) -> Vec<Concept> {
    let object_of = |props: &[(String, Term)], local: &str| {
        props
            .iter()
            .find(|(p, _)| p.strip_prefix(XZ) == Some(local))
            .and_then(|(_, o)| iri(o))
            .map(str::to_owned)
    };
    let link_of_scheme: HashMap<&str, (String, String)> = subjects
        .iter()
        .filter_map(|(s, props)| {
            let link = object_of(props, "linkProperty")?;
            let applies_to = object_of(props, "appliesTo")?;
            Some((s.as_str(), (link, applies_to)))
        })
        .collect();
    let mut concepts = Vec::new();
    for (subject, props) in subjects {
        let Some((link, applies_to)) = props
            .iter()
            .filter(|(p, _)| p.strip_prefix(SKOS) == Some("inScheme"))
            .find_map(|(_, o)| iri(o).and_then(|scheme| link_of_scheme.get(scheme)))
        else {
            continue;
        };
        let cues = props
            .iter()
            .filter(|(p, _)| p.strip_prefix(XZ) == Some("cue"))
            .filter_map(|(_, o)| literal(o).map(|(t, _)| t.to_owned()))
            .collect();
        let describes = match applies_to.strip_prefix(XZ) {
            Some("Pairing") => Describes::Pairings,
            Some("Event") => Describes::Events,
            _ => Describes::Other,
        };
        concepts.push(Concept {
            iri: subject.as_str().into(),
            link_property: link.as_str().into(),
            applies_to: applies_to.clone(),
            describes,
            is_indicator: link.strip_prefix(XZ) == Some("indicator"),
            reports_result_alone: props.iter().any(|(p, o)| {
                p.strip_prefix(XZ) == Some("reportsResultAlone")
                    && literal(o).is_some_and(|(v, _)| v == "true")
            }),
            cues,
        });
    }
    concepts
}

fn parse_lexicon(text: &str) -> Result<Vec<Cue>, String> {
    let mut cues = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = line.split('\t').collect();
        let [kind, _lang, text] = fields[..] else {
            return Err(format!(
                "ontology/lexicon.tsv:{}: expected KIND<TAB>LANG<TAB>TEXT",
                n + 1
            ));
        };
        let kind = CueKind::parse(kind)
            .ok_or_else(|| format!("ontology/lexicon.tsv:{}: unknown kind {kind:?}", n + 1))?;
        let (text, prefix) = match text.strip_suffix('*') {
            Some(stem) => (stem, true),
            None => (text, false),
        };
        if text.contains('*') {
            return Err(format!(
                "ontology/lexicon.tsv:{}: '*' only ends a cue: {text:?}",
                n + 1
            ));
        }
        cues.push(Cue {
            kind,
            text: text.to_owned(),
            prefix,
        });
    }
    Ok(cues)
}

fn parse_numbers(text: &str) -> Result<Numbers, String> {
    let mut numbers = Numbers::default();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let bad = || {
            format!(
                "ontology/numbers.tsv:{}: expected KIND<TAB>LANG<TAB>TEXT<TAB>VALUE",
                n + 1
            )
        };
        let fields: Vec<&str> = line.split('\t').collect();
        let [kind, _lang, text, value] = fields[..] else {
            return Err(bad());
        };
        match kind {
            "multiplier" => numbers
                .multipliers
                .push((text.to_owned(), value.parse().map_err(|_| bad())?)),
            "number" => numbers
                .words
                .push((text.to_owned(), value.parse().map_err(|_| bad())?)),
            "period" => {
                let (first, last) = value.split_once('-').ok_or_else(bad)?;
                let (first, last) = (
                    first.parse().map_err(|_| bad())?,
                    last.parse().map_err(|_| bad())?,
                );
                numbers.periods.push((text.to_owned(), first, last));
            }
            _ => {
                return Err(format!(
                    "ontology/numbers.tsv:{}: unknown kind {kind:?}",
                    n + 1
                ))
            }
        }
    }
    Ok(numbers)
}

/// Character folding as a direct table: folding runs on every character of every text, so a
/// lookup must cost an index, not a hash.
#[derive(Debug)]
pub struct FoldTable {
    /// Basic Multilingual Plane, indexed by code point; '\0' where nothing folds.
    bmp: Vec<char>,
    supplementary: HashMap<char, char>,
}

impl FoldTable {
    fn new() -> Self {
        FoldTable {
            bmp: vec!['\0'; 0x10000],
            supplementary: HashMap::new(),
        }
    }

    fn insert(&mut self, from: char, to: char) {
        match self.bmp.get_mut(from as usize) {
            Some(slot) => *slot = to,
            None => {
                self.supplementary.insert(from, to);
            }
        }
    }

    /// The simplified form of a traditional or shinjitai character.
    pub fn get(&self, c: char) -> Option<char> {
        match self.bmp.get(c as usize) {
            Some('\0') => None,
            Some(&to) => Some(to),
            None => self.supplementary.get(&c).copied(),
        }
    }

    /// True for characters written only in traditional Chinese or Japanese.
    pub fn contains(&self, c: char) -> bool {
        self.get(c).is_some()
    }
}

fn parse_fold(text: &str) -> Result<FoldTable, String> {
    let mut fold = FoldTable::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let mut chars = line.split('\t').map(|f| {
            let mut cs = f.chars();
            match (cs.next(), cs.next()) {
                (Some(c), None) => Some(c),
                _ => None,
            }
        });
        match (chars.next().flatten(), chars.next().flatten(), chars.next()) {
            (Some(from), Some(to), None) => {
                fold.insert(from, to);
            }
            _ => {
                return Err(format!(
                    "ontology/fold-chars.tsv:{}: expected FROM<TAB>TO",
                    n + 1
                ))
            }
        }
    }
    Ok(fold)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_knowledge_loads_and_links_parents_and_sides() {
        let k = Knowledge::embedded();
        let fujian = k.region_by_code("350000").expect("Fujian in the gazetteer");
        assert_eq!(k.regions[fujian].side, Some(Side::East));
        assert_eq!(k.regions[fujian].level, Level::Province);
        assert_eq!(k.regions[fujian].label("zh-Hans"), "福建省");
        assert_eq!(k.regions[fujian].label("vi"), "Phúc Kiến");
        let baise = k.region_by_code("451000").expect("Baise in the gazetteer");
        assert_eq!(
            k.regions[baise].side,
            Some(Side::West),
            "inherits Guangxi's side"
        );
        assert!(k.is_ancestor(k.region_by_code("450000").unwrap(), baise));
        assert!(k
            .concepts
            .iter()
            .any(|c| c.iri.ends_with("#KeyAreaFocusModel") && c.link_property.ends_with("#model")));
        assert!(k.cues.iter().any(|c| c.kind == CueKind::CompoundSuffix));
        assert!(k
            .concepts
            .iter()
            .any(|c| c.iri.ends_with("#Person") && c.applies_to.ends_with("#Outcome")));
        assert!(k
            .numbers
            .multipliers
            .iter()
            .any(|(t, v)| t == "万" && *v == 10000.0));
        assert!(k
            .numbers
            .periods
            .iter()
            .any(|(t, a, b)| t == "十三五" && (*a, *b) == (2016, 2020)));
        assert_eq!(k.fold.get('東'), Some('东'));
        assert_eq!(k.fold.get('东'), None);
    }

    #[test]
    fn malformed_lexicon_line_names_its_line() {
        let err = parse_lexicon("# c\npairing\tzh\n").unwrap_err();
        assert!(err.contains("lexicon.tsv:2"), "{err}"); // A star matches any ending; inside a cue it would match only itself.
        let err = parse_lexicon("pairing-symmetric\tfr\tréunion* conjointe*\n").unwrap_err();
        assert!(
            err.contains("lexicon.tsv:1") && err.contains("only ends"),
            "{err}"
        );
        assert!(parse_lexicon("pairing\ten\tassist*\n").is_ok());
    }
}
