//! Graceful shutdown of the HTTP server and supervision of background tasks.

mod common;

use axum::Router;
use axum::routing::get;
use oms_runtime::tasks::TaskFailure;
use oms_runtime::{Shutdown, TaskSet};
use reqwest::StatusCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::sync::Notify;

#[tokio::test]
async fn an_in_flight_request_finishes_before_the_server_stops() {
    let started = Arc::new(Notify::new());
    let signal = started.clone();
    let router = Router::new().route(
        "/slow",
        get(move || {
            let signal = signal.clone();
            async move {
                signal.notify_one();
                tokio::time::sleep(Duration::from_millis(500)).await;
                "finished"
            }
        }),
    );
    let app = common::serve(router).await;
    let client = app.client.clone();
    let request = tokio::spawn(async move { client.get_ok("/slow").await });

    started.notified().await;
    app.shutdown.trigger();

    let response = request.await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.text().await.unwrap(), "finished");
    let served = tokio::time::timeout(Duration::from_secs(5), app.server)
        .await
        .expect("the server stopped after the request");
    served.unwrap().unwrap();

    let refused = app.client.get("/slow").send().await;
    assert!(refused.is_err(), "no new connections after shutdown");
}

#[tokio::test]
async fn a_failing_task_stops_the_others_and_is_reported() {
    let mut tasks = TaskSet::new(Shutdown::new());
    let consumer_stopped = Arc::new(AtomicBool::new(false));
    let flag = consumer_stopped.clone();
    tasks.spawn("consumer", move |shutdown: Shutdown| async move {
        shutdown.wait().await;
        flag.store(true, Ordering::SeqCst);
        Ok::<(), anyhow::Error>(())
    });
    tasks.spawn("relay", |_shutdown| async {
        tokio::time::sleep(Duration::from_millis(50)).await;
        Err::<(), _>(anyhow::anyhow!("broker unreachable"))
    });
    let shutdown = tasks.shutdown().clone();

    let error = tasks
        .run(Duration::from_secs(5))
        .await
        .expect_err("the relay failed");
    assert!(shutdown.is_triggered(), "the failure triggered shutdown");
    assert!(
        consumer_stopped.load(Ordering::SeqCst),
        "the consumer stopped cleanly"
    );
    assert_eq!(error.failures.len(), 1, "{error}");
    assert_eq!(error.failures[0].0, "relay");
    assert!(matches!(error.failures[0].1, TaskFailure::Failed(_)));
    assert!(error.to_string().contains("broker unreachable"), "{error}");
}

#[tokio::test]
async fn a_panicking_or_early_returning_task_counts_as_a_failure() {
    let mut tasks = TaskSet::new(Shutdown::new());
    tasks.spawn("panics", |_shutdown| async {
        panic!("boom");
        #[allow(unreachable_code)]
        Ok::<(), anyhow::Error>(())
    });
    let error = tasks
        .run(Duration::from_secs(1))
        .await
        .expect_err("it panicked");
    assert!(
        matches!(&error.failures[0].1, TaskFailure::Panicked(message) if message == "boom"),
        "{error}"
    );

    let mut tasks = TaskSet::new(Shutdown::new());
    tasks.spawn("quits", |_shutdown| async { Ok::<(), anyhow::Error>(()) });
    let error = tasks
        .run(Duration::from_secs(1))
        .await
        .expect_err("it quit early");
    assert!(
        matches!(error.failures[0].1, TaskFailure::StoppedEarly),
        "{error}"
    );
}

#[tokio::test]
async fn on_shutdown_tasks_finish_their_unit_of_work_within_the_grace_period() {
    let shutdown = Shutdown::new();
    let mut tasks = TaskSet::new(shutdown.clone());
    let finished_batch = Arc::new(AtomicBool::new(false));
    let flag = finished_batch.clone();
    tasks.spawn("relay", move |shutdown: Shutdown| async move {
        shutdown.wait().await;
        // the batch in progress when the signal came
        tokio::time::sleep(Duration::from_millis(200)).await;
        flag.store(true, Ordering::SeqCst);
        Ok::<(), anyhow::Error>(())
    });
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(50)).await;
        shutdown.trigger();
    });
    tasks
        .run(Duration::from_secs(5))
        .await
        .expect("a clean stop");
    assert!(finished_batch.load(Ordering::SeqCst));
}

#[tokio::test]
async fn a_task_that_ignores_shutdown_is_aborted_after_the_grace_period() {
    let shutdown = Shutdown::new();
    let mut tasks = TaskSet::new(shutdown.clone());
    tasks.spawn("stubborn", |_shutdown| async {
        std::future::pending::<()>().await;
        Ok::<(), anyhow::Error>(())
    });
    shutdown.trigger();
    let started = std::time::Instant::now();
    let error = tasks
        .run(Duration::from_millis(200))
        .await
        .expect_err("it never stopped");
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(error.failures[0].0, "stubborn");
    assert!(
        matches!(error.failures[0].1, TaskFailure::DidNotStopInTime(_)),
        "{error}"
    );
}

#[tokio::test]
async fn the_http_server_runs_as_a_task() {
    let server = oms_runtime::http::Server::bind("127.0.0.1:0")
        .await
        .unwrap();
    let client = oms_test_support::TestClient::for_port(server.port());
    let shutdown = Shutdown::new();
    let mut tasks = TaskSet::new(shutdown.clone());
    let router = Router::new().route("/", get(|| async { "up" }));
    tasks.spawn("http", move |shutdown| server.serve(router, shutdown));
    let running = tokio::spawn(tasks.run(Duration::from_secs(5)));

    assert_eq!(client.get_ok("/").await.text().await.unwrap(), "up");
    shutdown.trigger();
    running.await.unwrap().expect("the server stopped cleanly");
}
