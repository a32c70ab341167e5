//! Pictures of the network: filters, clusters, and rendering by the real Graphviz.

mod util;
use util::TestEnv;

/// Edges of DOT text as (from, to) node ids, sorted.
fn edges(dot: &str) -> Vec<(String, String)> {
    let mut edges: Vec<(String, String)> = dot
        .lines()
        .filter_map(|l| {
            let (from, rest) = l.trim().split_once(" -> ")?;
            Some((from.to_owned(), rest.split_whitespace().next()?.to_owned()))
        })
        .collect();
    edges.sort();
    edges
}

fn pair(from: &str, to: &str) -> (String, String) {
    (format!("r{from}"), format!("r{to}"))
}

#[test]
fn the_whole_network_has_every_pairing_and_clusters_recipient_cities() {
    let env = TestEnv::with_seeds();
    let dot = env.ok(&["dot"]);
    let pairings = env.rows("SELECT ?p WHERE { ?p a xz:Pairing }");
    assert_eq!(edges(&dot).len(), pairings.len(), "{dot}");
    // Baise is a city of Guangxi: it sits in Guangxi's cluster with Guangxi itself; Chifeng and
    // Ulanqab in Inner Mongolia's.
    let guangxi = dot
        .split("subgraph cluster_450000 {")
        .nth(1)
        .and_then(|rest| rest.split("    }").next())
        .unwrap_or_else(|| panic!("no cluster for Guangxi:\n{dot}"));
    assert!(guangxi.contains("广西壮族自治区\\nGuangxi"), "{guangxi}");
    assert!(
        guangxi.contains("r451000 [") && guangxi.contains("r450000 ["),
        "{guangxi}"
    );
    let mongolia = dot
        .split("subgraph cluster_150000 {")
        .nth(1)
        .and_then(|rest| rest.split("    }").next())
        .unwrap_or_else(|| panic!("no cluster for Inner Mongolia:\n{dot}"));
    assert!(
        mongolia.contains("r150400 [") && mongolia.contains("r150900 ["),
        "{mongolia}"
    );
    // Helpers are not clustered.
    assert!(!dot.contains("cluster_440000"), "{dot}");
}

#[test]
fn filters_keep_a_region_a_year_or_a_model() {
    let env = TestEnv::with_seeds();
    for region in ["福建", "Fujian", "reg:350000", "350000", "Phúc Kiến"] {
        let dot = env.ok(&["dot", "--region", region]);
        assert_eq!(
            edges(&dot),
            vec![pair("350000", "640000")],
            "--region {region}"
        );
    }
    // A province keeps the pairings of its cities too.
    let dot = env.ok(&["dot", "--region", "Guangdong"]);
    assert_eq!(
        edges(&dot),
        vec![pair("440000", "450000"), pair("440300", "451000")],
        "{dot}"
    );
    // Begun by 2000: the 1996 pairings, not Beijing's of 2010 nor those without a year.
    let dot = env.ok(&["dot", "--year", "2000"]);
    assert_eq!(
        edges(&dot),
        vec![pair("350000", "640000"), pair("440000", "450000")],
        "{dot}"
    );
    let dot = env.ok(&["dot", "--year", "2005-2012"]);
    assert!(edges(&dot).contains(&pair("110000", "150400")), "{dot}");
    // The models as the graph has them.
    let expected: Vec<(String, String)> = {
        let mut v: Vec<(String, String)> = env
            .rows("SELECT ?h ?r WHERE { ?p xz:model xz:HighLevelCommunicationModel ; xz:helper ?h ; xz:recipient ?r }")
            .into_iter()
            .map(|row| {
                let code = |iri: &str| format!("r{}", iri.rsplit('/').next().unwrap());
                (code(&row[0]), code(&row[1]))
            })
            .collect();
        v.sort();
        v
    };
    assert!(!expected.is_empty());
    for model in [
        "high-level",
        "高层沟通",
        "xz:HighLevelCommunicationModel",
        "HighLevelCommunicationModel",
    ] {
        let dot = env.ok(&["dot", "--model", model]);
        assert_eq!(edges(&dot), expected, "--model {model}");
    }
    // Filters combine.
    let dot = env.ok(&["dot", "--region", "Beijing", "--year", "2000"]);
    assert!(edges(&dot).is_empty(), "{dot}");
}

#[test]
fn bad_filters_say_what_is_wrong_in_one_line() {
    let env = TestEnv::with_seeds();
    let err = env.fails(&["dot", "--region", "Atlantis"]);
    assert!(
        err.contains("Atlantis") && err.trim().lines().count() == 1,
        "{err}"
    );
    let err = env.fails(&["dot", "--year", "last year"]);
    assert!(err.contains("2010-2017"), "{err}");
    let err = env.fails(&["dot", "--model", "teleportation"]);
    assert!(
        err.contains("xz:EnterpriseCooperationModel"),
        "lists the models: {err}"
    );
    let err = env.fails(&["dot", "--model", "model"]);
    assert!(err.contains("could be any of"), "{err}");
}

#[test]
fn graphviz_renders_svg_and_png() {
    let env = TestEnv::with_seeds();
    let svg = env.path("net.svg");
    env.ok(&[
        "dot",
        "--render",
        "svg",
        "-o",
        svg.to_str().unwrap(),
        "--region",
        "广西",
    ]);
    let text = std::fs::read_to_string(&svg).unwrap();
    assert!(text.contains("<svg"), "{text}");
    assert!(
        text.contains("百色市") && text.contains("深圳市"),
        "Shenzhen helps Baise: {text}"
    );
    // Graphviz drew the cluster.
    assert!(
        text.contains("class=\"cluster\"") && text.contains("cluster_450000"),
        "{text}"
    );
    assert!(!text.contains("福建省"), "filtered out");
    // The extension is enough.
    let png = env.path("net.png");
    env.ok(&["dot", "-o", png.to_str().unwrap()]);
    let bytes = std::fs::read(&png).unwrap();
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "a PNG file");
}

#[test]
fn without_graphviz_rendering_says_how_to_install_it() {
    let env = TestEnv::with_seeds();
    let empty = env.path("empty-path");
    std::fs::create_dir(&empty).unwrap();
    let svg = env.path("net.svg");
    let out = env
        .command(&["dot", "--render", "svg", "-o", svg.to_str().unwrap()])
        .env("PATH", &empty)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(err.contains("apt-get install graphviz"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(!svg.exists(), "no half-made picture");
    // DOT text needs no Graphviz.
    let out = env.command(&["dot"]).env("PATH", &empty).output().unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("digraph"));
}

#[test]
fn the_shell_draws_with_the_same_filters() {
    let env = TestEnv::with_seeds();
    let svg = env.path("fujian.svg");
    let dot = env.path("model.dot");
    let script = format!(
        ".dot {} --region 福建\n.dot {} --model \"enterprise cooperation\"\n.dot {} --region Atlantis\n",
        svg.display(),
        dot.display(),
        env.path("never.dot").display()
    );
    let out = env.with_stdin(&["shell"], &script);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stdout.contains("drew 2 regions and 1 pairing in"),
        "{stdout}{stderr}"
    );
    let text = std::fs::read_to_string(&svg).unwrap();
    assert!(text.contains("<svg") && text.contains("宁夏回族自治区"));
    let dot = std::fs::read_to_string(&dot).unwrap();
    assert_eq!(edges(&dot), vec![pair("370000", "500000")], "{dot}");
    assert!(
        stderr.contains("statement at line 3: .dot: --region \"Atlantis\""),
        "{stderr}"
    );
    assert!(!env.path("never.dot").exists());
}
