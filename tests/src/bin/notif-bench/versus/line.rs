//! One line of the `nchan` table: each server's figure in each round, and their ratio.

use serde_json::{Value, json};

use crate::protocol::Protocol;

/// Whether a larger figure is the better one.
#[derive(Debug, Clone, Copy)]
pub enum Better {
    Higher,
    Lower,
    /// Neither: a figure that explains the others (such as the client's share).
    Neither,
}

/// One line of the table: each server's figure in each round (`None`: not measured).
pub struct Line {
    measure: String,
    better: Better,
    notif: Vec<Option<f64>>,
    nchan: Vec<Option<f64>>,
}

impl Line {
    pub fn new(measure: String, better: Better) -> Line {
        Line {
            measure,
            better,
            notif: Vec::new(),
            nchan: Vec::new(),
        }
    }

    /// `side`'s figure in its next round.
    pub fn set(&mut self, side: Protocol, value: f64) {
        self.notif_or_nchan(side, Some(value));
    }

    pub fn notif_or_nchan(&mut self, side: Protocol, value: Option<f64>) {
        match side {
            Protocol::Notif => self.notif.push(value),
            Protocol::Nchan => self.nchan.push(value),
        }
    }

    /// notif's figure divided by nchan's, for each round both were measured in.
    fn ratios(&self) -> Vec<f64> {
        self.notif
            .iter()
            .zip(&self.nchan)
            .filter_map(|pair| match pair {
                (Some(notif), Some(nchan)) if *nchan > 0.0 => Some(notif / nchan),
                _ => None,
            })
            .collect()
    }

    /// The table row: each server's median figure, the median of the rounds' ratios, and
    /// which way is better.
    pub fn row(&self) -> Value {
        let figure = |values: &[Option<f64>]| {
            let measured: Vec<f64> = values.iter().flatten().copied().collect();
            median(&measured).map(number)
        };
        json!({
            "measure": self.measure,
            "notif": figure(&self.notif),
            "nchan": figure(&self.nchan),
            "ratio": median(&self.ratios()).map(|ratio| round(ratio, RATIO_DECIMALS)),
            "better": match self.better {
                Better::Higher => "higher",
                Better::Lower => "lower",
                Better::Neither => "–",
            },
        })
    }

    /// `measure: r1, r2, …`: the ratio of each round.
    pub fn ratios_note(&self) -> String {
        let ratios: Vec<String> = self
            .ratios()
            .iter()
            .map(|ratio| round(*ratio, RATIO_DECIMALS).to_string())
            .collect();
        format!("{}: {}", self.measure, ratios.join(", "))
    }
}

/// Decimals of a ratio: three, so that one at a target's edge (ingest's 0.35) says on which
/// side of it it is.
const RATIO_DECIMALS: i32 = 3;

/// The middle of `values` (for an even count, the mean of the two middle ones, whole when
/// they are: counts stay counts); `None` for none.
fn median(values: &[f64]) -> Option<f64> {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mid = sorted.len() / 2;
    match sorted.len() {
        0 => None,
        n if n % 2 == 1 => Some(sorted[mid]),
        _ => {
            let (low, high) = (sorted[mid - 1], sorted[mid]);
            let mean = (low + high) / 2.0;
            let whole = low.fract() == 0.0 && high.fract() == 0.0;
            Some(if whole { mean.round() } else { round(mean, 3) })
        }
    }
}

/// A figure as JSON: whole numbers as integers (printed with thousands separators).
fn number(value: f64) -> Value {
    if value.fract() == 0.0 && (0.0..9e15).contains(&value) {
        json!(value as u64)
    } else {
        json!(value)
    }
}

/// `value` rounded to `decimals` places.
pub fn round(value: f64, decimals: i32) -> f64 {
    let scale = 10f64.powi(decimals);
    (value * scale).round() / scale
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_show_medians_and_the_median_of_their_ratios() {
        let mut line = Line::new("x".into(), Better::Lower);
        for (notif, nchan) in [(2.0, 1.0), (9.0, 3.0), (4.0, 1.0)] {
            line.set(Protocol::Notif, notif);
            line.set(Protocol::Nchan, nchan);
        }
        let row = line.row();
        assert_eq!((&row["notif"], &row["nchan"]), (&json!(4), &json!(1)));
        assert_eq!(row["ratio"], json!(3.0), "the ratios 2, 3 and 4");
        assert_eq!(line.ratios_note(), "x: 2, 3, 4");
        assert_eq!(median(&[1.5, 2.0]), Some(1.75));
        assert_eq!(
            median(&[31_402.0, 31_405.0]),
            Some(31_404.0),
            "counts stay whole"
        );
        assert_eq!(median(&[]), None);
    }

    #[test]
    fn a_line_shows_both_figures_and_their_ratio() {
        let mut line = Line::new("x".into(), Better::Higher);
        line.set(Protocol::Notif, 26_350.0);
        line.set(Protocol::Nchan, 188_969.0);
        let row = line.row();
        assert_eq!(row["ratio"], json!(0.139));
        assert_eq!(row["better"], json!("higher"));
        let mut missing = Line::new("y".into(), Better::Lower);
        missing.set(Protocol::Notif, 1.0);
        assert_eq!(missing.row()["ratio"], Value::Null);
    }
}
