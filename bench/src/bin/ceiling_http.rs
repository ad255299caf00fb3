//! `ceiling_http DATABASE_URL BIND`: the HTTP ceiling of the write path. One endpoint, `POST /insert`, that
//! inserts a single row through the service's own pool and write-transaction helper, on actix-web with the
//! same worker count and `web::block` as the service, and answers 201 with a small JSON body. Drive it with
//! `load --scenario ceiling`.

use actix_web::{App, HttpResponse, HttpServer, get, post, web};
use diesel::RunQueryDsl;
use std::sync::atomic::{AtomicU64, Ordering};
use waste_api::db::{self, Db, write_tx};

static NEXT: AtomicU64 = AtomicU64::new(0);

#[post("/insert")]
async fn insert(db: web::Data<Db>, body: web::Bytes) -> HttpResponse {
    let v: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
    let id = NEXT.fetch_add(1, Ordering::Relaxed);
    let db = db.clone();
    // The service's write path: its write connection and write-transaction helper.
    let r = db
        .write_async(move |c| -> Result<usize, waste_bench::BoxError> {
            Ok(write_tx(c, |c| {
                diesel::sql_query(format!(
                    "INSERT INTO bench_ceiling (id, v) VALUES ('{id}', 'x')"
                ))
                .execute(c)
            })?)
        })
        .await;
    match r {
        Ok(_) => HttpResponse::Created().json(serde_json::json!({ "id": id, "echo": v })),
        _ => HttpResponse::InternalServerError().finish(),
    }
}

/// The write path's counters, as the service's /metrics gives them, so the load client reports them for both.
#[get("/metrics")]
async fn metrics(db: web::Data<Db>) -> HttpResponse {
    HttpResponse::Ok().body(waste_api::metrics::render_writes(db.write_stats()))
}

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let (Some(url), Some(bind)) = (args.next(), args.next()) else {
        eprintln!("usage: ceiling_http DATABASE_URL BIND");
        std::process::exit(2);
    };
    let db = db::connect(&url, 8).map_err(|e| std::io::Error::other(e.to_string()))?;
    {
        let mut c = db
            .pool
            .get()
            .map_err(|e| std::io::Error::other(e.to_string()))?;
        let _ = diesel::sql_query("DROP TABLE IF EXISTS bench_ceiling").execute(&mut *c);
        diesel::sql_query(
            "CREATE TABLE bench_ceiling (id TEXT PRIMARY KEY NOT NULL, v TEXT NOT NULL)",
        )
        .execute(&mut *c)
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    }
    let data = web::Data::new(db);
    actix_web::rt::System::new().block_on(async move {
        HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .service(insert)
                .service(metrics)
        })
        .workers(2)
        .bind(bind)?
        .run()
        .await
    })
}
