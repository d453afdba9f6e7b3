//! futures' LocalPool on one thread (pinned to cpus[0]): the executor with no
//! reactor at all (no I/O, no timers), so only the channel and spawn
//! workloads run on it. futures::executor::block_on is built from it.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures::executor::{LocalPool, LocalSpawner};
use futures::future::{BoxFuture, RemoteHandle};
use futures::task::LocalSpawnExt;

use crate::cli::RunArgs;
use crate::measure::Measure;
use crate::{async_cell, async_suite, work};

thread_local! {
    static SPAWNER: RefCell<Option<LocalSpawner>> = const { RefCell::new(None) };
}

pub type Join<T> = RemoteHandle<T>;

/// spawn_local_with_handle on this thread's pool, counted.
fn spawn<F>(f: F) -> Join<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    work::tasks(1);
    SPAWNER
        .with(|s| s.borrow().as_ref().expect("no LocalPool on this thread").spawn_local_with_handle(f).expect("spawn"))
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
use crate::smol_peer::{ch, ev};

async_suite!();

struct Rt(RefCell<LocalPool>);

impl Rt {
    /// The timed call: the body runs as a spawned task (not counted).
    fn block_on<T: 'static>(&self, root: BoxFuture<'static, T>) -> T {
        let body = SPAWNER.with(|s| s.borrow().as_ref().expect("spawner").spawn_local_with_handle(root));
        self.0.borrow_mut().run_until(body.expect("spawn"))
    }
}

pub fn cell(a: &RunArgs, m: &Measure) -> Result<(), String> {
    a.set.pin_one()?;
    let pool = LocalPool::new();
    SPAWNER.with(|s| *s.borrow_mut() = Some(pool.spawner()));
    let rt = Rt(RefCell::new(pool));
    let r = async_cell!(a, m, rt);
    SPAWNER.with(|s| *s.borrow_mut() = None);
    r
}
