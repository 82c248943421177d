//! Compiled Sigma rules → a rule pack (TOML, the format of docs/rules.md),
//! with a Japanese runbook built from the rule's description and known
//! false positives.

use super::compile::CompiledSigma;

/// How often imported rules run, how far back they look, the lateness they
/// allow and how long a repeat match stays the same alert.
const SCHEDULE: &str = "5m";
const WINDOW: &str = "5m";
const LATENESS: &str = "5m";
const SUPPRESS: &str = "1h";

/// Renders one `[[rules]]` entry per rule.
pub fn to_pack_toml(rules: &[CompiledSigma]) -> String {
    let mut out = String::from(
        "# Rules imported from Sigma by `bannin rules import-sigma`.\n\
         # Sigma rules keep their authors' licence (SigmaHQ rules: Detection Rule\n\
         # License 1.1, credit SigmaHQ/sigma and the author named on each rule).\n",
    );
    for rule in rules {
        out.push('\n');
        render(rule, &mut out);
    }
    out
}

fn render(rule: &CompiledSigma, out: &mut String) {
    let mut credit = vec![format!("Sigma: {}", one_line(&rule.title))];
    if let Some(id) = &rule.sigma_id {
        credit.push(format!("id {}", one_line(id)));
    }
    if let Some(author) = &rule.author {
        credit.push(format!("author {}", one_line(author)));
    }
    out.push_str(&format!("# {}\n[[rules]]\n", credit.join("; ")));
    let mut line = |key: &str, value: toml::Value| {
        out.push_str(&format!("{key} = {value}\n"));
    };
    line("id", text(&rule.id));
    line("severity", text(rule.severity));
    line("title.ja", text(&format!("Sigma: {}", rule.title)));
    line("title.en", text(&rule.title));
    if let Some(description) = &rule.description {
        line("description.en", text(description));
    }
    line("tables", list(&rule.tables));
    line("schedule", text(SCHEDULE));
    line("window", text(WINDOW));
    line("lateness", text(LATENESS));
    line("suppress", text(SUPPRESS));
    line("group", list(&rule.group));
    if !rule.attack.is_empty() {
        line("attack", list(&rule.attack));
    }
    line("runbook.ja", text(&runbook_ja(rule)));
    line("runbook.en", text(&runbook_en(rule)));
    line("sql", text(&rule.sql));
}

/// 対応手順: what matched, where to look, the known false positives, whom
/// to tell.
pub fn runbook_ja(rule: &CompiledSigma) -> String {
    let what = match &rule.description {
        Some(d) => format!(" (ルールの説明: {})", one_line(d)),
        None => String::new(),
    };
    let identity = rule.group.last().map(String::as_str).unwrap_or("host");
    let steps = vec![
        format!(
            "Sigma ルール「{}」に一致するログがありました{what}。",
            rule.title
        ),
        format!(
            "証拠の行 (raw 列) を開き、ホスト・{identity}・時刻から、誰がどの端末で何をしたかを確認してください。"
        ),
    ];
    let false_positives = false_positives(rule).map(|fps| {
        format!("次の場合は誤検知の可能性があります: {fps}。該当すれば誤検知として閉じてください。")
    });
    let report = "不審な場合や判断できない場合は、情報セキュリティ管理者に報告し、CSIRT の指示に従ってください。";
    numbered(steps, false_positives, report)
}

fn runbook_en(rule: &CompiledSigma) -> String {
    let steps = vec![
        format!("Logs matched the Sigma rule \"{}\".", rule.title),
        "Open the evidence rows (raw column) and establish who did what, from which host, when."
            .to_owned(),
    ];
    let false_positives = false_positives(rule).map(|fps| {
        format!(
            "Known false positives: {fps}. If one applies, close the alert as a false positive."
        )
    });
    let report = "Otherwise report to the information-security administrator and follow the CSIRT.";
    numbered(steps, false_positives, report)
}

/// The rule's `falsepositives`, one line each, joined; `None` if none.
fn false_positives(rule: &CompiledSigma) -> Option<String> {
    (!rule.falsepositives.is_empty()).then(|| {
        rule.falsepositives
            .iter()
            .map(|f| one_line(f))
            .collect::<Vec<_>>()
            .join(" / ")
    })
}

/// `1. … 2. …`: the steps, the false-positive step if any, the report step.
fn numbered(mut steps: Vec<String>, false_positives: Option<String>, report: &str) -> String {
    steps.extend(false_positives);
    steps.push(report.to_owned());
    steps
        .iter()
        .enumerate()
        .map(|(i, s)| format!("{}. {s}", i + 1))
        .collect::<Vec<_>>()
        .join("\n")
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn text(s: &str) -> toml::Value {
    toml::Value::String(s.to_owned())
}

fn list(items: &[String]) -> toml::Value {
    toml::Value::Array(items.iter().map(|i| text(i)).collect())
}
