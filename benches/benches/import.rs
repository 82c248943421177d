//! Batch import throughput: lines → parsed rows → zstd Parquet files in a
//! lake on local disk (fsync included). See benches/README.md for figures.

use bannin_benches::{DayOptions, municipality_day};
use bannin_ingest::{Format, ImportOptions, Importer, Lake};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

fn import(c: &mut Criterion) {
    let date = chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap_or_default();
    let day = municipality_day(&DayOptions { date, seed: 1 });
    let text: String = day.all_lines().flat_map(|l| [l, "\n"]).collect();
    let lines = day.all_lines().count() as u64;
    let options = ImportOptions {
        privileged_accounts: vec!["root".into()],
        ..ImportOptions::new(Format::Auto, "bench")
    };
    let mut group = c.benchmark_group("import");
    group.sample_size(20);
    group.throughput(Throughput::Elements(lines));
    group.bench_function(format!("municipal_day/{lines}_lines_to_parquet"), |b| {
        b.iter_batched(
            || tempfile::tempdir().ok(),
            |dir| {
                let Some(dir) = dir else { return };
                let lake = Lake::new(dir.path().join("lake"));
                if let Ok(mut importer) = Importer::new(&lake, options.clone()) {
                    let _ = importer.import_reader(text.as_bytes(), "bench", chrono::Utc::now());
                    let _ = importer.finish();
                }
            },
            criterion::BatchSize::PerIteration,
        )
    });
    group.finish();
}

criterion_group!(benches, import);
criterion_main!(benches);
