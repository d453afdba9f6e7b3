//! futures' LocalPool on one thread: the executor with no reactor at all
//! (no I/O, no timers), so only the channel and spawn workloads run on it.
//! This is also what futures::executor::block_on is built from.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures::executor::{LocalPool, LocalSpawner};
use futures::future::RemoteHandle;
use futures::task::LocalSpawnExt;

use crate::expect::p;
use crate::measure::Measure;
use crate::{async_suite, suite, Params};

thread_local! {
    static SPAWNER: RefCell<Option<LocalSpawner>> = RefCell::new(None);
}

fn spawn<F>(f: F) -> RemoteHandle<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    SPAWNER.with(|s| {
        s.borrow().as_ref().expect("no LocalPool on this thread").spawn_local_with_handle(f).expect("spawn")
    })
}

/// futures 0.3 has no yield: pending once after waking ourselves.
struct YieldNow(bool);
impl Future for YieldNow {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            return Poll::Ready(());
        }
        self.0 = true;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}
fn yield_now() -> YieldNow {
    YieldNow(false)
}

/// Channels: async-channel (runtime-agnostic, as with smol and async-std):
/// futures' own mpsc sender needs `&mut` to send, and cloning it per send
/// would add a buffer slot per clone and change the workload.
use crate::smol_peer::ch;
use crate::smol_peer::ev;

async_suite!();

pub fn cell(w: &str, ps: &Params, m: &Measure) -> Result<(), String> {
    let mut pool = LocalPool::new();
    SPAWNER.with(|s| *s.borrow_mut() = Some(pool.spawner()));
    let mut run = |f: futures::future::BoxFuture<'static, u64>| pool.run_until(spawn(f));
    let (n, k) = (p(ps, "n"), p(ps, "k"));
    let r = match w {
        "pingpong" => m.run(|| run(Box::pin(pingpong(n)))),
        "yield" => m.run(|| run(Box::pin(yields(k, n)))),
        "spawn" => m.run(|| run(Box::pin(spawns(n)))),
        "fib" => m.run(|| run(fib(n, p(ps, "cutoff")))),
        "sum" => {
            let data = suite::sum_data(n);
            m.run(|| run(Box::pin(sum(data.clone(), p(ps, "chunk")))))
        }
        "workqueue" => m.run(|| run(Box::pin(workqueue(p(ps, "r"), n, p(ps, "cap"))))),
        "million" => m.run(|| run(Box::pin(million(n)))),
        _ => Err(format!("futures LocalPool has no workload {}", w)),
    };
    SPAWNER.with(|s| *s.borrow_mut() = None);
    r
}
