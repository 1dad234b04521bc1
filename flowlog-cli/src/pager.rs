//! The pager: a thread of the command's own that does a mapped capture's page-table work, so
//! that the thread reading and metering the capture only reads (the machine's second core also
//! runs the writer, which leaves it room for this).

use std::fs::File;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::Arc;
use std::thread::JoinHandle;

use flowlog_core::capture::{CaptureReader, Pager};

/// A running pager; stopped and joined when dropped.
pub struct BackgroundPager {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl BackgroundPager {
    /// Take over the page-table work of `reader` when it reads a mapped file. `None` when it
    /// reads a stream or no thread can be started: the reader then does the work itself.
    pub fn start(reader: &mut CaptureReader<File>) -> Option<BackgroundPager> {
        let stop = Arc::new(AtomicBool::new(false));
        let (send, receive) = mpsc::sync_channel::<Pager>(1);
        let done = Arc::clone(&stop);
        let thread = std::thread::Builder::new()
            .name("flowlog-pager".into())
            .spawn(move || {
                // No pager comes for a reader that is not mapped: the thread just ends.
                let Ok(mut pager) = receive.recv() else { return };
                while !done.load(Ordering::Acquire) {
                    pager.follow_reader();
                    std::thread::park_timeout(Pager::NAP);
                }
            })
            .ok()?;
        let pager = reader.hand_off_paging(thread.thread().clone())?;
        // The thread holds the receiver until it has the pager: the send cannot fail.
        let _ = send.send(pager);
        Some(BackgroundPager { stop, thread: Some(thread) })
    }
}

impl Drop for BackgroundPager {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
        if let Some(t) = self.thread.take() {
            t.thread().unpark();
            let _ = t.join();
        }
    }
}
