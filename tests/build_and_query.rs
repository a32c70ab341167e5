//! The foundation path end to end: build the seeds into a real on-disk store, query each fact
//! the seeds state, and check that every fact is traceable to its sentence.

mod util;
use util::{seed_slice, TestEnv, REGION, XZ};

const PREFIXES: &str = "PREFIX xz: <https://w3id.org/xiezuo/ontology#>
PREFIX reg: <https://w3id.org/xiezuo/id/region/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX pairing: <https://w3id.org/xiezuo/id/pairing/>
";

/// (helper, recipient, earliest year, model) that the seeds state.
const PAIRINGS: &[(&str, &str, Option<&str>, Option<&str>)] = &[
    ("370000", "500000", None, Some("EnterpriseCooperationModel")), // Shandong → Chongqing
    (
        "350000",
        "640000",
        Some("1996"),
        Some("HighLevelCommunicationModel"),
    ), // Fujian → Ningxia
    ("110000", "150000", Some("2010"), Some("KeyAreaFocusModel")),  // Beijing → Inner Mongolia
    ("110000", "150900", Some("2010"), Some("KeyAreaFocusModel")),  // Beijing → Ulanqab
    ("110000", "150400", Some("2010"), Some("KeyAreaFocusModel")),  // Beijing → Chifeng
    ("440000", "450000", Some("1996"), None),                       // Guangdong → Guangxi
    ("440300", "451000", None, None),                               // Shenzhen → Baise
];

#[test]
fn every_pairing_the_seeds_state_is_in_the_graph() {
    let env = TestEnv::with_seeds();
    for &(helper, recipient, since, model) in PAIRINGS {
        let pairing =
            format!("?p a xz:Pairing ; xz:helper reg:{helper} ; xz:recipient reg:{recipient} .");
        assert!(
            env.ask(&format!("{PREFIXES} ASK {{ {pairing} }}")),
            "missing pairing {helper} → {recipient}"
        );
        if let Some(year) = since {
            let rows = env.rows(&format!(
                "{PREFIXES} SELECT (MIN(STR(?y)) AS ?since) WHERE {{ {pairing} ?p xz:since ?y }}"
            ));
            assert_eq!(rows, [[year.to_owned()]], "since of {helper} → {recipient}");
        }
        if let Some(model) = model {
            assert!(
                env.ask(&format!(
                    "{PREFIXES} ASK {{ {pairing} ?p xz:model xz:{model} }}"
                )),
                "{helper} → {recipient} lacks model {model}"
            );
        }
    }
}

#[test]
fn one_node_per_pairing_with_evidence_from_every_language() {
    let env = TestEnv::with_seeds();
    let rows = env.rows(&format!(
        "{PREFIXES} SELECT ?p WHERE {{ ?p a xz:Pairing ; xz:helper reg:350000 ; xz:recipient reg:640000 }}"
    ));
    assert_eq!(
        rows.len(),
        1,
        "one Fujian → Ningxia node, not one per document: {rows:?}"
    );
    let languages: Vec<String> = env
        .rows(&format!(
            "{PREFIXES} SELECT DISTINCT ?lang WHERE {{ <{}> prov:wasDerivedFrom ?e . ?e dct:language ?lang }}",
            rows[0][0]
        ))
        .into_iter()
        .map(|r| r[0].clone())
        .collect();
    // Seeds 000–003 state it in five languages; 004 names 閩寧協作 in traditional characters.
    assert_eq!(languages, ["en", "fr", "ja", "vi", "zh-Hans", "zh-Hant"]);
    let documents = env.rows(&format!(
        "{PREFIXES} SELECT DISTINCT ?file WHERE {{ <{}> prov:wasDerivedFrom/xz:document/xz:sourceFile ?file }}",
        rows[0][0]
    ));
    assert_eq!(documents.len(), 5, "stated by every seed: {documents:?}");
}

#[test]
fn evidence_quotes_the_original_text_at_its_offsets() {
    let env = TestEnv::with_seeds();
    let rows = env.rows(&format!(
        "{PREFIXES} SELECT DISTINCT ?file ?start ?end ?quote WHERE {{
            ?p prov:wasDerivedFrom ?e . ?e xz:quote ?quote ; xz:start ?start ; xz:end ?end ; xz:document/xz:sourceFile ?file }}"
    ));
    assert!(rows.len() >= 20, "{} evidence sentences", rows.len());
    for row in rows {
        let (start, end) = (row[1].parse().unwrap(), row[2].parse().unwrap());
        assert_eq!(
            seed_slice(&row[0], start, end),
            row[3],
            "{}:{start}-{end}",
            row[0]
        );
    }
}

#[test]
fn damaged_page_still_yields_its_facts_and_none_from_boilerplate() {
    let env = TestEnv::with_seeds();
    let quotes = env.rows(&format!(
        "{PREFIXES} SELECT ?quote WHERE {{ ?p prov:wasDerivedFrom ?e . ?e xz:quote ?quote ;
            xz:document/xz:sourceFile \"004_c5ac9b9131ebefd6.txt\" }}"
    ));
    assert!(!quotes.is_empty());
    for q in &quotes {
        assert!(
            !q[0].contains("進行曲") && !q[0].contains("猜你喜歡"),
            "fact from the related-articles list: {q:?}"
        );
    }
    // The 1996 list of nine eastern provinces is not a list of pairings with Guangxi.
    for helper in ["110000", "310000", "350000"] {
        assert!(!env.ask(&format!(
            "{PREFIXES} ASK {{ ?p xz:helper reg:{helper} ; xz:recipient reg:450000 }}"
        )));
    }
}

#[test]
fn regions_carry_codes_and_multilingual_labels() {
    let env = TestEnv::with_seeds();
    let rows = env.rows(&format!(
        "{PREFIXES} PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
         SELECT ?code ?zh ?en WHERE {{ reg:350000 a xz:Region ; xz:adminCode ?code ;
            rdfs:label ?zh , ?en . FILTER(langMatches(lang(?zh), \"zh-Hans\") && langMatches(lang(?en), \"en\")) }}"
    ));
    assert_eq!(rows, [["350000", "福建省", "Fujian"]]);
    assert_eq!(
        format!("{REGION}350000"),
        "https://w3id.org/xiezuo/id/region/350000"
    );
    assert!(env.ask(&format!("ASK {{ <{XZ}EnterpriseCooperationModel> a <http://www.w3.org/2004/02/skos/core#Concept> }}")));
}

#[test]
fn building_twice_gives_the_same_graph() {
    let env = TestEnv::with_seeds();
    let first = env.count_triples();
    let export_first = env.ok(&["export", "--format", "nquads"]);
    env.ok(&["build", util::seeds().to_str().unwrap()]);
    assert_eq!(env.count_triples(), first);
    assert_eq!(env.ok(&["export", "--format", "nquads"]), export_first);
}

#[test]
fn every_result_format_is_well_formed() {
    let env = TestEnv::with_seeds();
    let q = format!("{PREFIXES} SELECT ?h ?r WHERE {{ ?p xz:helper ?h ; xz:recipient ?r }}");
    let csv = env.ok(&["query", "--format", "csv", &q]);
    assert!(
        csv.starts_with("h,r\r\n") && csv.contains("https://w3id.org/xiezuo/id/region/350000"),
        "{csv}"
    );
    let tsv = env.ok(&["query", "--format", "tsv", &q]);
    assert!(tsv.starts_with("?h\t?r\n"), "{tsv}");
    let xml = env.ok(&["query", "--format", "xml", &q]);
    assert!(
        xml.contains("<sparql")
            && xml.contains("<uri>https://w3id.org/xiezuo/id/region/640000</uri>")
    );
    let table = env.ok(&["query", &q]);
    assert!(
        table.contains("reg:350000") && table.contains("reg:640000"),
        "{table}"
    );
    let turtle = env.ok(&[
        "query",
        &format!("{PREFIXES} CONSTRUCT {{ ?p xz:helper ?h }} WHERE {{ ?p xz:helper ?h }}"),
    ]);
    assert!(
        turtle.contains("@prefix xz:") && turtle.contains("xz:helper reg:350000"),
        "{turtle}"
    );
    let describe = env.ok(&["query", "DESCRIBE reg:640000"]);
    assert!(describe.contains("宁夏回族自治区"), "{describe}");
}

#[test]
fn why_prints_the_sentences_behind_a_pairing() {
    let env = TestEnv::with_seeds();
    let out = env.ok(&["why", "pairing:350000-640000"]);
    assert!(
        out.starts_with("pairing:350000-640000 Fujian → Ningxia"),
        "{out}"
    );
    assert!(out.contains("in 5 documents"), "{out}");
    assert!(
        out.contains("福建省と寧夏回族自治区") && out.contains("Phúc Kiến"),
        "{out}"
    );
    let err = env.fails(&["why", "reg:350000"]);
    assert!(err.contains("no sentence states reg:350000"), "{err}");
}

#[test]
fn outcomes_policy_documents_and_events_are_in_the_graph() {
    let env = TestEnv::with_seeds();
    let rows = env.rows(&format!(
        "{PREFIXES} SELECT ?v ?y WHERE {{ ?o a xz:Outcome ; xz:value ?v ; xz:unit xz:Person ;
            xz:indicator xz:LiftedOutOfPoverty ; xz:year ?y ; xz:pairing pairing:440000-450000 }}"
    ));
    assert_eq!(
        rows,
        [["17224", "2017"], ["6127", "2017"]],
        "粵桂 outcomes of 2017"
    );
    assert!(env.ask(&format!(
        "{PREFIXES} ASK {{ ?d a xz:PolicyDocument ; xz:title ?t ; xz:year \"2016\"^^<http://www.w3.org/2001/XMLSchema#gYear>
            FILTER(CONTAINS(STR(?t), \"指導意見\")) }}"
    )));
    let meetings = env.rows(&format!(
        "{PREFIXES} SELECT ?e (COUNT(DISTINCT ?lang) AS ?languages) WHERE {{ ?e a xz:Event ; xz:eventType xz:JointMeeting ;
            xz:pairing pairing:350000-640000 ; prov:wasDerivedFrom/dct:language ?lang }} GROUP BY ?e"
    ));
    assert_eq!(meetings.len(), 1, "one joint-meeting node: {meetings:?}");
    assert_eq!(meetings[0][1], "5", "stated in ja, zh-Hans, en, fr, vi");
}
