use crate::device::DeviceChoice;
use crate::eval::{evaluate, EncoderInit, EvalConfig, EvalReport, LabelBudget, Protocol};
use clap::Args;
use std::path::PathBuf;

#[derive(Args)]
pub struct EvalArgs {
    /// The run directory (holding config.toml and checkpoints/).
    run_dir: PathBuf,
    /// Comma-separated: knn, linear, finetune, segmentation [default: knn,linear,segmentation].
    #[arg(long, value_delimiter = ',')]
    protocol: Vec<String>,
    /// Labelled training images per class.
    #[arg(long, conflicts_with = "fraction", allow_negative_numbers = true)]
    per_class: Option<usize>,
    /// Share of each class's labelled training images, in (0, 1].
    #[arg(long, allow_negative_numbers = true)]
    fraction: Option<f64>,
    /// Evaluations per protocol, with seeds 0, 1, ...
    #[arg(long, default_value_t = 3)]
    seeds: u64,
    /// Fine-tuning epochs.
    #[arg(long, allow_negative_numbers = true)]
    finetune_epochs: Option<usize>,
    /// auto, cpu or cuda.
    #[arg(long, default_value = "auto")]
    device: String,
}

pub fn run(a: EvalArgs) -> anyhow::Result<()> {
    let mut cfg = EvalConfig::default();
    if !a.protocol.is_empty() {
        cfg.protocols = a.protocol.iter().map(|p| Protocol::parse(p)).collect::<anyhow::Result<_>>()?;
    }
    cfg.budget = match (a.per_class, a.fraction) {
        (Some(n), _) => LabelBudget::PerClass(n),
        (None, Some(f)) => LabelBudget::Fraction(f),
        (None, None) => LabelBudget::All,
    };
    cfg.seeds = (0..a.seeds).collect();
    cfg.finetune.epochs = a.finetune_epochs.unwrap_or(cfg.finetune.epochs);
    let device = DeviceChoice::parse(&a.device)?.resolve()?;
    println!("evaluating {} on {}", a.run_dir.display(), crate::device::describe(device));
    // Loading reports every file under one name: show each name once, and each job.
    let last = std::cell::RefCell::new(String::new());
    let progress = |what: &str, done: usize, total: usize| -> anyhow::Result<()> {
        if done < total && *last.borrow() != what {
            println!("[{}/{total}] {what}", done + 1);
            *last.borrow_mut() = what.to_string();
        }
        Ok(())
    };
    let mut report = evaluate(&a.run_dir, &cfg, device, &progress)?;
    print!("{}", table(&report));
    match report.save(&a.run_dir) {
        Ok(file) => {
            println!("saved {}", file.display());
            Ok(())
        }
        // The results are printed whole, so a full disk loses nothing: redirect to keep them.
        Err(e) => {
            println!("\nthe whole report, as it would have been saved:");
            println!("{}", String::from_utf8_lossy(&report.to_json()?));
            Err(e.context("the evaluation above could not be saved"))
        }
    }
}

/// Trained against random init, mean ± std over seeds, one line per protocol and metric.
fn table(report: &EvalReport) -> String {
    let seeds = report.config.seeds.len();
    let mut out = format!(
        "\n{} on {}, {}, {seeds} seed(s): mean ± std\n{:<14}{:<20}{:>18}{:>18}\n",
        report.method,
        report.data,
        report.config.budget.describe(),
        "protocol",
        "metric",
        EncoderInit::Trained.label(),
        EncoderInit::Random.label()
    );
    let cell = |protocol, init, metric: &str| {
        report
            .row(protocol, init, metric)
            .map_or("-".to_string(), |r| format!("{:.3} ± {:.3}", r.mean, r.std))
    };
    for row in report.summary.iter().filter(|r| r.encoder == EncoderInit::Trained) {
        out += &format!(
            "{:<14}{:<20}{:>18}{:>18}\n",
            row.protocol.id(),
            row.metric,
            cell(row.protocol, EncoderInit::Trained, &row.metric),
            cell(row.protocol, EncoderInit::Random, &row.metric)
        );
    }
    for note in &report.notes {
        out += &format!("note: {note}\n");
    }
    out
}
