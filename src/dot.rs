//! The pairing network as Graphviz DOT: one node per region, one edge per pairing from helper to
//! recipient, labelled with the earliest year and the models. Eastern helpers are blue boxes,
//! western recipients orange ellipses, and the recipient cities of a province sit together in a
//! cluster named after it. Filters keep part of the network (a region, a year, a model), and
//! [`render`] runs Graphviz for SVG or PNG.

use crate::knowledge::{Knowledge, Level, RegionId, Side, ID, XZ};
use crate::remote::{QuerySource, SourceError};
use crate::results::{compact_iri, expand_iri};
use crate::shell::vocab::fold;
use oxigraph::model::Term;
use oxigraph::sparql::QueryResults;
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;
use std::collections::BTreeMap;
use std::io::Write;
use std::process::{Command, Stdio};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionNode {
    pub iri: String,
    /// GB/T 2260 code (the IRI's last segment).
    pub code: String,
    pub zh: String,
    pub en: String,
    pub side: Option<Side>,
    /// The province the region lies in, when it is not a province itself: (code, zh, en).
    pub province: Option<(String, String, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PairingEdge {
    pub iri: String,
    pub since: Option<String>,
    /// English labels of the models, sorted.
    pub models: Vec<String>,
}

/// Which part of the network to draw. Each field is as the user wrote it; `None` keeps all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DotFilter {
    /// A region by IRI, prefixed name, code or label in any language: pairings whose helper or
    /// recipient is the region or lies within it.
    pub region: Option<String>,
    /// `YEAR` or `FROM-TO`: pairings begun by then (`xz:since`) or dated within it (`xz:year`,
    /// `xz:adjustedIn`). Pairings the texts give no year for are left out.
    pub year: Option<String>,
    /// A cooperation model by IRI, prefixed name, local name or (part of) a label in any language.
    pub model: Option<String>,
}

impl DotFilter {
    pub fn is_empty(&self) -> bool {
        self == &DotFilter::default()
    }
}

/// What Graphviz renders to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum RenderFormat {
    Svg,
    Png,
}

impl RenderFormat {
    pub fn extension(self) -> &'static str {
        match self {
            RenderFormat::Svg => "svg",
            RenderFormat::Png => "png",
        }
    }

    /// The format a file name asks for (`pairings.svg`).
    pub fn from_path(path: &std::path::Path) -> Option<RenderFormat> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "svg" => Some(RenderFormat::Svg),
            "png" => Some(RenderFormat::Png),
            _ => None,
        }
    }
}

pub const INSTALL_GRAPHVIZ: &str = "Graphviz is not installed, so the picture cannot be rendered; install it (Debian, Ubuntu: `sudo apt-get install graphviz`; Fedora: `sudo dnf install graphviz`; macOS: `brew install graphviz`), or write the DOT text without --render and render it elsewhere";

#[derive(Debug, thiserror::Error)]
pub enum DotError {
    #[error(transparent)]
    Query(#[from] SourceError),
    #[error("reading pairings: {0}")]
    Evaluation(#[from] oxigraph::sparql::QueryEvaluationError),
    #[error("--region {0:?}: no region has that code or name")]
    UnknownRegion(String),
    #[error(
        "--region {0:?} could be any of {1}; give the code instead (e.g. --region reg:350000)"
    )]
    AmbiguousRegion(String, String),
    #[error("--year {0:?}: give a year (2017) or a range (2010-2017)")]
    BadYear(String),
    #[error("--model {0:?}: no cooperation model matches; the models are {1}")]
    UnknownModel(String, String),
    #[error("--model {0:?} could be any of {1}")]
    AmbiguousModel(String, String),
    #[error("{INSTALL_GRAPHVIZ}")]
    GraphvizMissing,
    #[error("Graphviz failed: {0}")]
    GraphvizFailed(String),
    #[error("running Graphviz: {0}")]
    Io(#[from] std::io::Error),
}

/// The whole pairing graph of the store.
pub fn pairing_graph(
    source: &QuerySource<'_>,
) -> Result<DiGraph<RegionNode, PairingEdge>, DotError> {
    pairing_graph_filtered(source, &DotFilter::default())
}

/// The pairing graph, keeping only what the filter asks for.
pub fn pairing_graph_filtered(
    source: &QuerySource<'_>,
    filter: &DotFilter,
) -> Result<DiGraph<RegionNode, PairingEdge>, DotError> {
    let k = Knowledge::embedded();
    let region = filter
        .region
        .as_deref()
        .map(|r| resolve_region(k, r))
        .transpose()?;
    let years = filter.year.as_deref().map(parse_years).transpose()?;
    let model = filter
        .model
        .as_deref()
        .map(|m| resolve_model(source, m))
        .transpose()?;
    let query = format!(
        "SELECT ?p ?h ?r (MIN(STR(?y)) AS ?since)
                (GROUP_CONCAT(DISTINCT STR(?m); separator=\"|\") AS ?modelIris)
                (GROUP_CONCAT(DISTINCT ?ml; separator=\"|\") AS ?models)
                (GROUP_CONCAT(DISTINCT STR(?dated); separator=\"|\") AS ?years) WHERE {{
           ?p a <{XZ}Pairing> ; <{XZ}helper> ?h ; <{XZ}recipient> ?r .
           OPTIONAL {{ ?p <{XZ}since> ?y }}
           OPTIONAL {{ ?p <{XZ}model> ?m .
                      OPTIONAL {{ ?m skos:prefLabel ?ml FILTER(langMatches(lang(?ml), \"en\")) }} }}
           OPTIONAL {{ ?p <{XZ}year>|<{XZ}adjustedIn> ?dated }}
         }} GROUP BY ?p ?h ?r ORDER BY ?h ?r"
    );
    let mut graph = DiGraph::new();
    let mut nodes: BTreeMap<String, NodeIndex> = BTreeMap::new();
    let mut node_for = |graph: &mut DiGraph<RegionNode, PairingEdge>, iri: &str| {
        *nodes
            .entry(iri.to_owned())
            .or_insert_with(|| graph.add_node(region_node(k, iri)))
    };
    if let QueryResults::Solutions(solutions) = source.query(&query)? {
        for solution in solutions {
            let solution = solution?;
            let text = |v: &str| match solution.get(v) {
                Some(Term::NamedNode(n)) => Some(n.as_str().to_owned()),
                Some(Term::Literal(l)) if !l.value().is_empty() => Some(l.value().to_owned()),
                _ => None,
            };
            let list = |v: &str| -> Vec<String> {
                text(v)
                    .map(|m| m.split('|').map(str::to_owned).collect())
                    .unwrap_or_default()
            };
            let (Some(p), Some(h), Some(r)) = (text("p"), text("h"), text("r")) else {
                continue;
            };
            let since = text("since");
            if let Some(region) = region {
                let within = |iri: &str| {
                    region_id(k, iri).is_some_and(|id| id == region || k.is_ancestor(region, id))
                };
                if !within(&h) && !within(&r) {
                    continue;
                }
            }
            if let Some((from, to)) = years {
                let begun = since
                    .as_deref()
                    .and_then(|s| s.parse::<i32>().ok())
                    .is_some_and(|s| s <= to);
                let dated = list("years")
                    .iter()
                    .filter_map(|y| y.parse::<i32>().ok())
                    .any(|y| (from..=to).contains(&y));
                if !begun && !dated {
                    continue;
                }
            }
            if let Some(model) = &model {
                if !list("modelIris").contains(model) {
                    continue;
                }
            }
            let (h, r) = (node_for(&mut graph, &h), node_for(&mut graph, &r));
            let mut models = list("models");
            models.sort();
            graph.add_edge(
                h,
                r,
                PairingEdge {
                    iri: p,
                    since,
                    models,
                },
            );
        }
    }
    Ok(graph)
}

fn region_id(k: &Knowledge, iri: &str) -> Option<RegionId> {
    k.region_by_code(iri.strip_prefix(&format!("{ID}region/"))?)
}

fn region_node(k: &Knowledge, iri: &str) -> RegionNode {
    let code = iri
        .strip_prefix(&format!("{ID}region/"))
        .unwrap_or(iri)
        .to_owned();
    let id = k.region_by_code(&code);
    let region = id.map(|r| &k.regions[r]);
    let mut province = None;
    if let Some(mut current) = id {
        while let Some(parent) = k.regions[current].parent {
            current = parent;
        }
        let top = &k.regions[current];
        if Some(current) != id && top.level == Level::Province {
            province = Some((
                top.code.clone(),
                top.label("zh-Hans").to_owned(),
                top.label("en").to_owned(),
            ));
        }
    }
    RegionNode {
        iri: iri.to_owned(),
        zh: region
            .map_or(code.as_str(), |r| r.label("zh-Hans"))
            .to_owned(),
        en: region.map_or(code.as_str(), |r| r.label("en")).to_owned(),
        side: region.and_then(|r| r.side),
        code,
        province,
    }
}

/// A region from what a user typed: IRI, prefixed name, code, or a label in any language.
fn resolve_region(k: &Knowledge, written: &str) -> Result<RegionId, DotError> {
    let written = written.trim();
    let code = expand_iri(written)
        .and_then(|iri| iri.strip_prefix(&format!("{ID}region/")).map(str::to_owned))
        .unwrap_or_else(|| written.to_owned());
    if let Some(id) = k.region_by_code(&code) {
        return Ok(id);
    }
    let key = fold(written);
    let mut found: Vec<RegionId> = (0..k.regions.len())
        .filter(|&i| k.regions[i].names.iter().any(|n| fold(n) == key))
        .collect();
    // A province and a county of the same name: the province is meant.
    if let Some(top) = found.iter().map(|&i| k.regions[i].level).min() {
        found.retain(|&i| k.regions[i].level == top);
    }
    match found.as_slice() {
        [] => Err(DotError::UnknownRegion(written.to_owned())),
        [one] => Ok(*one),
        many => Err(DotError::AmbiguousRegion(
            written.to_owned(),
            many.iter()
                .take(6)
                .map(|&i| {
                    let r = &k.regions[i];
                    let parent = r
                        .parent
                        .map(|p| k.regions[p].label("zh-Hans"))
                        .unwrap_or("");
                    format!("reg:{} ({parent}{})", r.code, r.label("zh-Hans"))
                })
                .collect::<Vec<_>>()
                .join(", "),
        )),
    }
}

/// `2017` → (2017, 2017); `2010-2017` or `2010..2017` → (2010, 2017).
fn parse_years(written: &str) -> Result<(i32, i32), DotError> {
    let bad = || DotError::BadYear(written.to_owned());
    let trimmed = written.trim();
    let (from, to) = match trimmed.split_once("..").or_else(|| trimmed.split_once('-')) {
        Some((a, b)) => (a.trim(), b.trim()),
        None => (trimmed, trimmed),
    };
    let from: i32 = from.parse().map_err(|_| bad())?;
    let to: i32 = to.parse().map_err(|_| bad())?;
    if from > to || !(1000..=9999).contains(&from) || !(1000..=9999).contains(&to) {
        return Err(bad());
    }
    Ok((from, to))
}

/// A cooperation model (its IRI) from an IRI, prefixed name, local name or label fragment.
fn resolve_model(source: &QuerySource<'_>, written: &str) -> Result<String, DotError> {
    let query = "SELECT ?m ?l WHERE { ?m skos:inScheme xz:CooperationModels . OPTIONAL { ?m skos:prefLabel ?l } } ORDER BY ?m";
    let mut models: BTreeMap<String, Vec<String>> = BTreeMap::new();
    if let QueryResults::Solutions(solutions) = source.query(query)? {
        for solution in solutions {
            let solution = solution?;
            if let Some(Term::NamedNode(m)) = solution.get("m") {
                let labels = models.entry(m.as_str().to_owned()).or_default();
                if let Some(Term::Literal(l)) = solution.get("l") {
                    labels.push(l.value().to_owned());
                }
            }
        }
    }
    let written = written.trim();
    let iri = expand_iri(written);
    let key = fold(written);
    let matching: Vec<&String> = models
        .iter()
        .filter(|(m, labels)| {
            iri.as_deref() == Some(m.as_str())
                || m.rsplit(['#', '/'])
                    .next()
                    .is_some_and(|local| local.eq_ignore_ascii_case(written))
                || (!key.is_empty() && labels.iter().any(|l| fold(l).contains(&key)))
        })
        .map(|(m, _)| m)
        .collect();
    let names = |ms: &mut dyn Iterator<Item = &String>| {
        ms.map(|m| compact_iri(m)).collect::<Vec<_>>().join(", ")
    };
    match matching.as_slice() {
        [one] => Ok((*one).clone()),
        [] => Err(DotError::UnknownModel(
            written.to_owned(),
            names(&mut models.keys()),
        )),
        many => Err(DotError::AmbiguousModel(
            written.to_owned(),
            names(&mut many.iter().copied()),
        )),
    }
}

/// A DOT string: quotes and backslashes escaped, line breaks as `\n`.
fn quoted(s: &str) -> String {
    format!(
        "\"{}\"",
        s.replace('\\', "\\\\")
            .replace('"', "\\\"")
            .replace('\n', "\\n")
    )
}

fn two_names(zh: &str, en: &str) -> String {
    if zh == en {
        zh.to_owned()
    } else {
        format!("{zh}\n{en}")
    }
}

/// DOT text for the graph.
pub fn to_dot(graph: &DiGraph<RegionNode, PairingEdge>) -> String {
    let font = "Noto Sans CJK SC";
    let mut out = format!(
        "digraph xiezuo {{\n    graph [rankdir=LR fontname={f} label=\"East–West pairing assistance (boxes: eastern helpers, ellipses: western recipients)\" labelloc=t]\n    node [fontname={f}]\n    edge [fontname={f} fontsize=10]\n",
        f = quoted(font)
    );
    let id = |n: &RegionNode| {
        let safe: String = n
            .code
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        format!("r{safe}")
    };
    let node_line = |n: &RegionNode| {
        let (shape, color) = match n.side {
            Some(Side::East) => ("box", "#cfe2ff"),
            Some(Side::West) => ("ellipse", "#ffe0c2"),
            None => ("diamond", "#eeeeee"),
        };
        format!(
            "{} [label={} shape={shape} style=filled fillcolor={} tooltip={}]",
            id(n),
            quoted(&two_names(&n.zh, &n.en)),
            quoted(color),
            quoted(&n.iri)
        )
    };
    let mut sorted: Vec<&RegionNode> = graph.node_weights().collect();
    sorted.sort_by(|a, b| a.code.cmp(&b.code));
    // Recipient cities grouped under their province (which joins its cluster if it is drawn).
    let mut clusters: BTreeMap<&str, (&str, &str, Vec<&RegionNode>)> = BTreeMap::new();
    let recipients: std::collections::HashSet<&str> = graph
        .edge_references()
        .map(|e| graph[e.target()].iri.as_str())
        .collect();
    let is_recipient = |n: &RegionNode| recipients.contains(n.iri.as_str());
    for n in &sorted {
        if let Some((code, zh, en)) = &n.province {
            if is_recipient(n) {
                clusters
                    .entry(code.as_str())
                    .or_insert((zh.as_str(), en.as_str(), Vec::new()))
                    .2
                    .push(n);
            }
        }
    }
    for n in &sorted {
        if let Some(cluster) = clusters.get_mut(n.code.as_str()) {
            cluster.2.insert(0, n);
        }
    }
    let clustered: std::collections::HashSet<&str> = clusters
        .values()
        .flat_map(|(_, _, members)| members.iter().map(|n| n.code.as_str()))
        .collect();
    for n in &sorted {
        if !clustered.contains(n.code.as_str()) {
            out.push_str(&format!("    {}\n", node_line(n)));
        }
    }
    for (code, (zh, en, members)) in &clusters {
        out.push_str(&format!(
            "    subgraph cluster_{code} {{\n        label={} style=\"rounded,dashed\" color=\"#c77c3a\" fontcolor=\"#8a4f1d\"\n",
            quoted(&two_names(zh, en))
        ));
        for n in members {
            out.push_str(&format!("        {}\n", node_line(n)));
        }
        out.push_str("    }\n");
    }
    let mut edges: Vec<_> = graph.edge_references().collect();
    edges.sort_by(|a, b| {
        (&graph[a.source()].code, &graph[a.target()].code)
            .cmp(&(&graph[b.source()].code, &graph[b.target()].code))
    });
    for e in edges {
        let w = e.weight();
        let mut lines = Vec::new();
        if let Some(since) = &w.since {
            lines.push(format!("since {since}"));
        }
        lines.extend(w.models.iter().cloned());
        out.push_str(&format!(
            "    {} -> {} [label={} tooltip={}]\n",
            id(&graph[e.source()]),
            id(&graph[e.target()]),
            quoted(&lines.join("\n")),
            quoted(&w.iri)
        ));
    }
    out.push_str("}\n");
    out
}

/// Runs Graphviz's `dot` on the DOT text and returns the picture.
pub fn render(dot: &str, format: RenderFormat) -> Result<Vec<u8>, DotError> {
    let mut child = match Command::new("dot")
        .arg(format!("-T{}", format.extension()))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    {
        Ok(child) => child,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(DotError::GraphvizMissing)
        }
        Err(e) => return Err(e.into()),
    };
    let mut stdin = child.stdin.take().expect("piped");
    let text = dot.to_owned();
    // Write from another thread: Graphviz may fill its output pipe before reading all input.
    let writer = std::thread::spawn(move || stdin.write_all(text.as_bytes()));
    let output = child.wait_with_output()?;
    let _ = writer.join();
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(DotError::GraphvizFailed(
            stderr.lines().next().unwrap_or("no message").to_owned(),
        ));
    }
    Ok(output.stdout)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(code: &str, zh: &str, en: &str, side: Side, province: Option<&str>) -> RegionNode {
        RegionNode {
            iri: format!("{ID}region/{code}"),
            code: code.into(),
            zh: zh.into(),
            en: en.into(),
            side: Some(side),
            province: province.map(|p| (p.into(), "广西壮族自治区".into(), "Guangxi".into())),
        }
    }

    #[test]
    fn labels_are_quoted_sides_differ_and_cities_cluster_by_province() {
        let mut g = DiGraph::new();
        let a = g.add_node(node("350000", "福建省", "Fujian \"F\"", Side::East, None));
        let b = g.add_node(node("640000", "宁夏", "Ningxia", Side::West, None));
        let gd = g.add_node(node("440000", "广东省", "Guangdong", Side::East, None));
        let gx = g.add_node(node(
            "450000",
            "广西壮族自治区",
            "Guangxi",
            Side::West,
            None,
        ));
        let baise = g.add_node(node(
            "451000",
            "百色市",
            "Baise",
            Side::West,
            Some("450000"),
        ));
        let edge = |since: &str, models: &[&str]| PairingEdge {
            iri: "p".into(),
            since: Some(since.into()),
            models: models.iter().map(|m| m.to_string()).collect(),
        };
        g.add_edge(a, b, edge("1996", &["joint meetings"]));
        g.add_edge(gd, gx, edge("1996", &[]));
        g.add_edge(gd, baise, edge("2016", &[]));
        let dot = to_dot(&g);
        assert!(dot.contains(r#"label="福建省\nFujian \"F\"""#), "{dot}");
        assert!(dot.contains("shape=box") && dot.contains("shape=ellipse"));
        assert!(
            dot.contains(r#"label="since 1996\njoint meetings""#),
            "{dot}"
        );
        let cluster = dot
            .split("subgraph cluster_450000 {")
            .nth(1)
            .and_then(|rest| rest.split('}').next())
            .unwrap_or_else(|| panic!("a cluster for Guangxi: {dot}"));
        assert!(
            cluster.contains(r#"label="广西壮族自治区\nGuangxi""#),
            "{cluster}"
        );
        assert!(
            cluster.contains("r451000 [") && cluster.contains("r450000 ["),
            "{cluster}"
        );
        assert!(
            !cluster.contains("r640000"),
            "Ningxia has no city in the graph: {cluster}"
        );
        assert_eq!(dot.matches("subgraph").count(), 1, "{dot}");
    }

    #[test]
    fn years_and_ranges() {
        assert_eq!(parse_years("2017").unwrap(), (2017, 2017));
        assert_eq!(parse_years("2010-2017").unwrap(), (2010, 2017));
        assert_eq!(parse_years("2010..2017").unwrap(), (2010, 2017));
        assert!(parse_years("2017-2010").is_err());
        assert!(parse_years("last year").is_err());
    }

    #[test]
    fn regions_by_code_name_or_label() {
        let k = Knowledge::embedded();
        let fujian = k.region_by_code("350000").unwrap();
        for written in [
            "reg:350000",
            "350000",
            "福建",
            "福建省",
            "Fujian",
            "fujian",
            "Phúc Kiến",
            "phuc kien",
        ] {
            assert_eq!(resolve_region(k, written).ok(), Some(fujian), "{written}");
        }
        assert!(matches!(
            resolve_region(k, "Atlantis"),
            Err(DotError::UnknownRegion(_))
        ));
    }
}
