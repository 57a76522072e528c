//! What a scenario hands back, and how it is printed: a markdown table fit to paste into
//! README, or with `--json` one JSON object per scenario. Also the machine description that
//! every result carries.

use serde_json::{Map, Value, json};

use crate::stats::Summary;

/// How a column's JSON value is shown in the table.
#[derive(Debug, Clone, Copy)]
pub enum Unit {
    /// Text, left-aligned.
    Text,
    /// A number as is, integers with thousands separators.
    Plain,
    /// Milliseconds.
    Ms,
    /// A float with one decimal.
    Dec1,
}

/// One table column: its header and the JSON key of its value in each row.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub header: &'static str,
    pub key: &'static str,
    pub unit: Unit,
}

/// Shorthand for a column.
const fn col(header: &'static str, key: &'static str, unit: Unit) -> Column {
    Column { header, key, unit }
}

/// Every column a table shows, by its JSON key: one header and unit per key, whichever
/// scenario shows it.
const COLUMNS: &[Column] = &[
    col("sync", "sync", Unit::Text),
    col("store", "store", Unit::Text),
    col("nodes", "nodes", Unit::Plain),
    col("connections", "connections", Unit::Plain),
    col("notifications/s", "perSecond", Unit::Plain),
    col("users × streams", "shape", Unit::Text),
    col("rate/s", "rate", Unit::Plain),
    col("sent/s", "sentPerSecond", Unit::Plain),
    col("deliveries", "deliveries", Unit::Plain),
    col("median ms", "medianMs", Unit::Ms),
    col("min ms", "minMs", Unit::Ms),
    col("p50 ms", "p50Ms", Unit::Ms),
    col("p90 ms", "p90Ms", Unit::Ms),
    col("p99 ms", "p99Ms", Unit::Ms),
    col("p999 ms", "p999Ms", Unit::Ms),
    col("max ms", "maxMs", Unit::Ms),
    col("commit → event p50 ms", "fromCommitP50Ms", Unit::Ms),
    col("commit → event p99 ms", "fromCommitP99Ms", Unit::Ms),
    col("missing", "missing", Unit::Plain),
    col("duplicates", "duplicates", Unit::Plain),
    col("errors", "errors", Unit::Plain),
    col("streams", "streams", Unit::Plain),
    col("users", "users", Unit::Plain),
    col("RSS before MiB", "rssBeforeMiB", Unit::Dec1),
    col("RSS after MiB", "rssAfterMiB", Unit::Dec1),
    col("KiB per stream", "kibPerStream", Unit::Dec1),
    col("open all, ms", "openMs", Unit::Ms),
    col("query", "query", Unit::Text),
    col("command", "command", Unit::Text),
    col("runs", "runs", Unit::Plain),
    col("measure", "measure", Unit::Text),
    col("notif", "notif", Unit::Plain),
    col("nchan", "nchan", Unit::Plain),
    col("notif ÷ nchan", "ratio", Unit::Plain),
    col("better", "better", Unit::Text),
];

/// The column of `key` (a plain one headed by the key itself if no table had it yet).
fn column(key: &'static str) -> Column {
    COLUMNS
        .iter()
        .find(|column| column.key == key)
        .copied()
        .unwrap_or(col(key, key, Unit::Plain))
}

/// `cells` (a JSON object) with the latency percentiles of `summary` added, in
/// milliseconds: `p50Ms`, `p90Ms`, `p99Ms`, `p999Ms`, `maxMs`, `minMs`.
pub fn timed(mut cells: Value, summary: &Summary) -> Value {
    if let Some(cells) = cells.as_object_mut() {
        for (key, nanos) in [
            ("p50Ms", summary.p50),
            ("p90Ms", summary.p90),
            ("p99Ms", summary.p99),
            ("p999Ms", summary.p999),
            ("maxMs", summary.max),
            ("minMs", summary.min),
        ] {
            cells.insert(key.into(), ms(nanos));
        }
    }
    cells
}

/// A table: its columns, and one JSON object per row keyed by the columns' keys (and
/// maybe more, for `--json`).
#[derive(Debug)]
pub struct Table {
    columns: Vec<Column>,
    rows: Vec<Value>,
}

impl Table {
    /// The table in markdown.
    fn markdown(&self) -> String {
        let headers: Vec<&str> = self.columns.iter().map(|c| c.header).collect();
        let rules: Vec<&str> = self
            .columns
            .iter()
            .map(|c| match c.unit {
                Unit::Text => "---",
                _ => "---:",
            })
            .collect();
        let mut out = format!("| {} |\n|{}|\n", headers.join(" | "), rules.join("|"));
        for row in &self.rows {
            let cells: Vec<String> = self
                .columns
                .iter()
                .map(|c| cell(row.get(c.key), c.unit))
                .collect();
            out.push_str(&format!("| {} |\n", cells.join(" | ")));
        }
        out
    }
}

/// The result of one scenario.
#[derive(Debug)]
pub struct Report {
    pub scenario: &'static str,
    pub table: Table,
    /// Facts worth printing under the table.
    pub notes: Vec<String>,
    /// Correctness failures (missing deliveries, errors…): the run exits non-zero.
    pub failures: Vec<String>,
    /// Why the scenario did not run, if it did not.
    pub skipped: Option<String>,
}

impl Report {
    /// An empty report for `scenario` whose table shows the columns of these JSON keys.
    pub fn new(scenario: &'static str, keys: &[&'static str]) -> Report {
        Report {
            scenario,
            table: Table {
                columns: keys.iter().map(|&key| column(key)).collect(),
                rows: Vec::new(),
            },
            notes: Vec::new(),
            failures: Vec::new(),
            skipped: None,
        }
    }

    /// Adds a row to the table.
    pub fn push(&mut self, row: Value) {
        self.table.rows.push(row);
    }

    /// The markdown section of this report.
    pub fn markdown(&self) -> String {
        let mut out = format!("### {}\n\n", self.scenario);
        if let Some(why) = &self.skipped {
            out.push_str(&format!("Skipped: {why}\n"));
            return out;
        }
        out.push_str(&self.table.markdown());
        for note in &self.notes {
            out.push_str(&format!("\n- {note}"));
        }
        for failure in &self.failures {
            out.push_str(&format!("\n- **FAILED:** {failure}"));
        }
        out.push('\n');
        out
    }

    /// The JSON object of this report.
    pub fn json(&self, command: &str, machine: &Value) -> Value {
        json!({
            "scenario": self.scenario,
            "command": command,
            "machine": machine,
            "skipped": self.skipped,
            "rows": self.table.rows,
            "notes": self.notes,
            "failures": self.failures,
            "ok": self.failures.is_empty(),
        })
    }
}

/// One table cell.
fn cell(value: Option<&Value>, unit: Unit) -> String {
    match (value, unit) {
        (None | Some(Value::Null), _) => "n/a".into(),
        (Some(Value::Number(n)), Unit::Ms) => n.as_f64().map_or_else(String::new, format_ms),
        (Some(Value::Number(n)), Unit::Dec1) => {
            n.as_f64().map_or_else(String::new, |v| format!("{v:.1}"))
        }
        (Some(Value::Number(n)), Unit::Plain | Unit::Text) => match n.as_u64() {
            Some(int) => thousands(int),
            None => n.to_string(),
        },
        (Some(Value::String(s)), _) => s.clone(),
        (Some(other), _) => other.to_string(),
    }
}

/// Milliseconds with the precision that matters at that size.
fn format_ms(ms: f64) -> String {
    if ms < 1.0 {
        format!("{ms:.3}")
    } else if ms < 100.0 {
        format!("{ms:.2}")
    } else {
        format!("{ms:.0}")
    }
}

/// `12345678` as `12,345,678`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The machine: CPUs, CPU model, memory, kernel.
pub fn machine() -> Value {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find(|line| line.starts_with("model name"))
        .and_then(|line| line.split_once(':'))
        .map(|(_, model)| model.trim().to_owned());
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let mem_kib = meminfo
        .lines()
        .find(|line| line.starts_with("MemTotal:"))
        .and_then(|line| line.split_whitespace().nth(1))
        .and_then(|kib| kib.parse::<u64>().ok());
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .map(|s| s.trim().to_owned())
        .ok();
    let mut map = Map::new();
    map.insert(
        "nproc".into(),
        json!(std::thread::available_parallelism().map_or(0, |n| n.get())),
    );
    map.insert("cpu".into(), json!(model));
    map.insert("memMiB".into(), json!(mem_kib.map(|kib| kib / 1024)));
    map.insert("kernel".into(), json!(kernel));
    map.insert("tempFs".into(), json!(filesystem_of(&std::env::temp_dir())));
    Value::Object(map)
}

/// The filesystem type and device holding `path` (where the bench's databases live), from
/// the longest matching mount point in `/proc/mounts`.
fn filesystem_of(path: &std::path::Path) -> Option<String> {
    let mounts = std::fs::read_to_string("/proc/mounts").ok()?;
    mounts
        .lines()
        .filter_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            match fields[..] {
                [device, mount, kind, ..] if path.starts_with(mount) => {
                    Some((mount.len(), format!("{kind} on {device}")))
                }
                _ => None,
            }
        })
        .max_by_key(|(len, _)| *len)
        .map(|(_, fs)| fs)
}

/// The machine as one markdown line.
pub fn machine_line(machine: &Value) -> String {
    let text = |key: &str| machine.get(key).and_then(Value::as_str).unwrap_or("?");
    let mem = machine.get("memMiB").and_then(Value::as_u64).unwrap_or(0);
    format!(
        "Machine: {} CPUs ({}), {:.1} GiB RAM, Linux {}, databases in {} ({}); client and \
         server on the same machine.",
        machine.get("nproc").and_then(Value::as_u64).unwrap_or(0),
        text("cpu"),
        mem as f64 / 1024.0,
        text("kernel"),
        std::env::temp_dir().display(),
        text("tempFs"),
    )
}

/// Row helper: milliseconds from nanoseconds, rounded to the microsecond.
pub fn ms(nanos: u64) -> Value {
    json!((crate::stats::ms(nanos) * 1000.0).round() / 1000.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_has_one_column() {
        for (i, column) in COLUMNS.iter().enumerate() {
            assert!(
                COLUMNS[i + 1..].iter().all(|other| other.key != column.key),
                "{} twice",
                column.key
            );
        }
        let timed = timed(json!({"n": 1}), &Summary::of(&mut [1_000_000, 3_000_000]));
        assert_eq!(timed["p50Ms"], json!(1.0));
        assert_eq!(timed["maxMs"], json!(3.0));
        assert_eq!(timed["n"], json!(1));
    }

    #[test]
    fn formats_numbers_for_people() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(12_345_678), "12,345,678");
        assert_eq!(format_ms(0.1234), "0.123");
        assert_eq!(format_ms(12.345), "12.35");
        assert_eq!(format_ms(1234.5), "1234");
    }

    #[test]
    fn renders_a_markdown_table() {
        let mut report = Report::new("x", &["sync", "p50Ms"]);
        report.push(json!({"sync": "full", "p50Ms": 0.5}));
        report.notes.push("a note".into());
        assert_eq!(
            report.markdown(),
            "### x\n\n| sync | p50 ms |\n|---|---:|\n| full | 0.500 |\n\n- a note\n"
        );
    }
}
