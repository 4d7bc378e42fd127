//! Visit save (WAL, synchronous=FULL), payload encode/decode, QR + ticket, export of 100,000
//! visits, and the store's size per visit. Run: cargo bench --bench core
//! Targets (docs/performance.md): save < 5 ms median and < 20 ms p99; payload + QR image + ticket
//! raster < 20 ms together; export of 100,000 visits < 5 s; < 2 KB stored per visit.

use criterion::{Criterion, criterion_group, criterion_main};
use passerelle::kiosk::Kiosk;
use passerelle_core::engine::{Clock, FakeClock};
use passerelle_core::random::random_visit;
use rand::SeedableRng;
use std::sync::Arc;
use std::time::{Duration, Instant};

fn clock() -> Arc<FakeClock> {
    FakeClock::new(chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap().and_hms_opt(10, 0, 0).unwrap())
}

fn kiosk(dir: &std::path::Path) -> Kiosk {
    let (_, recipient) = passerelle::kiosk::seal::keygen();
    let src = passerelle_core::DEFAULT_CONFIG.replace("recipient = \"\"", &format!("recipient = \"{recipient}\""));
    let mut c = passerelle_core::config::Config::parse(&src, "kiosk.toml", None).unwrap();
    c.data_dir = dir.to_path_buf();
    Kiosk::from_config(c, "bench".into()).unwrap()
}

fn percentile(v: &mut [Duration], p: f64) -> Duration {
    v.sort();
    v[((v.len() as f64 - 1.0) * p).round() as usize]
}

fn save(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let k = kiosk(dir.path());
    let mut store = k.open_store().unwrap();
    let clk = clock();
    let mut engine = k.engine(clk.clone());
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
    let visits: Vec<_> = (0..2000)
        .map(|_| {
            let v = random_visit(&mut engine, &mut rng).unwrap();
            engine.saved().unwrap();
            engine.finish().unwrap();
            v
        })
        .collect();
    // Latency distribution of durable saves (each one a committed, fsynced transaction).
    let mut times: Vec<Duration> = visits
        .iter()
        .map(|v| {
            let t = Instant::now();
            k.finish_visit(&mut store, clk.as_ref(), v).unwrap();
            t.elapsed()
        })
        .collect();
    let (p50, p99) = (percentile(&mut times, 0.5), percentile(&mut times, 0.99));
    println!("visit save over {} visits: median {:.2} ms, p99 {:.2} ms", times.len(), p50.as_secs_f64() * 1e3, p99.as_secs_f64() * 1e3);
    let mut i = 0;
    c.bench_function("visit_save", |b| {
        b.iter(|| {
            k.finish_visit(&mut store, clk.as_ref(), &visits[i % visits.len()]).unwrap();
            i += 1;
        })
    });
}

fn payload_and_ticket(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let k = kiosk(dir.path());
    let mut store = k.open_store().unwrap();
    let clk = clock();
    let mut engine = k.engine(clk.clone());
    let script = passerelle_core::script::Script::parse(passerelle_core::DEMO_VISIT).unwrap();
    let v = passerelle_core::script::play(&mut engine, &script).unwrap();
    let saved = k.finish_visit(&mut store, clk.as_ref(), &v).unwrap();
    let stored = store.visit(&saved.id).unwrap().unwrap();
    let h = passerelle_core::handoff::decode(&saved.payload, &k.defs.questionnaire).unwrap();
    let full = passerelle_core::handoff::Handoff { answers: Some(v.answers.clone()), profile: saved.profile.clone(), ..h };
    c.bench_function("payload_encode", |b| b.iter(|| passerelle_core::handoff::encode(&full, &k.defs.questionnaire).unwrap()));
    c.bench_function("payload_decode", |b| b.iter(|| passerelle_core::handoff::decode(&saved.payload, &k.defs.questionnaire).unwrap()));
    let data = passerelle::kiosk::ticket::TicketData::from_stored(&k, &stored, chrono::Local::now().naive_local()).unwrap();
    c.bench_function("ticket_raster_80mm", |b| b.iter(|| passerelle::kiosk::ticket::render(&data, 80).unwrap()));
    c.bench_function("payload+qr_image+ticket_raster+escpos", |b| {
        b.iter(|| {
            let p = passerelle_core::handoff::encode(&full, &k.defs.questionnaire).unwrap();
            let qr = passerelle::shared::qr::render(&p, 4).unwrap();
            let t = passerelle::kiosk::ticket::render(&data, 80).unwrap();
            (qr, passerelle::kiosk::ticket::escpos(&t))
        })
    });
}

fn export(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let k = kiosk(&dir.path().join("data"));
    let mut store = k.open_store().unwrap();
    let clk = clock();
    let mut engine = k.engine(clk.clone());
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
    let n = 100_000;
    let t = Instant::now();
    store.connection().execute_batch("PRAGMA synchronous=OFF;").unwrap(); // setup only
    for _ in 0..n {
        let v = random_visit(&mut engine, &mut rng).unwrap();
        k.finish_visit(&mut store, clk.as_ref(), &v).unwrap();
        engine.saved().unwrap();
        engine.finish().unwrap();
    }
    store.connection().execute_batch("PRAGMA synchronous=FULL; PRAGMA wal_checkpoint(TRUNCATE);").unwrap();
    let size = std::fs::metadata(store.path()).unwrap().len();
    println!("store: {n} visits in {:.1} s (setup), {:.0} bytes per visit on disk", t.elapsed().as_secs_f64(), size as f64 / n as f64);
    let usb = dir.path().join("usb");
    std::fs::create_dir_all(&usb).unwrap();
    let mut group = c.benchmark_group("export");
    group.sample_size(10).measurement_time(Duration::from_secs(30));
    group.bench_function("export_100000_visits", |b| {
        b.iter(|| {
            let r = passerelle::kiosk::export::export(&k, &mut store, &passerelle::kiosk::export::RealFs, &usb, true, clk.local_now()).unwrap();
            std::fs::remove_dir_all(&r.folder).unwrap();
        })
    });
    group.finish();
}

criterion_group!(benches, save, payload_and_ticket, export);
criterion_main!(benches);
