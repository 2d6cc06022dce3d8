//! Hands the objects a reflector saw to whoever subscribed (the controllers, while this
//! replica leads). Unlike kube's shared reflector streams, a fan-out without subscribers
//! drops objects instead of filling a buffer, so followers' caches never stall, and a
//! subscription made at election time starts empty (the controllers then reconcile
//! everything once from the cache).

use futures::channel::mpsc::{UnboundedReceiver, UnboundedSender, unbounded};
use std::sync::{Arc, Mutex};

/// A fan-out of `T` to the current subscribers.
pub struct Fanout<T> {
    subscribers: Arc<Mutex<Vec<UnboundedSender<T>>>>,
}

impl<T> Clone for Fanout<T> {
    fn clone(&self) -> Self {
        Self {
            subscribers: self.subscribers.clone(),
        }
    }
}

impl<T> Default for Fanout<T> {
    fn default() -> Self {
        Self {
            subscribers: Arc::default(),
        }
    }
}

impl<T: Clone> Fanout<T> {
    /// Sends `item` to every live subscriber; dropped subscriptions are forgotten.
    pub fn send(&self, item: &T) {
        let Ok(mut subscribers) = self.subscribers.lock() else {
            return;
        };
        subscribers.retain(|tx| tx.unbounded_send(item.clone()).is_ok());
    }

    /// A new subscription: every item sent from now on, until the receiver is dropped.
    pub fn subscribe(&self) -> UnboundedReceiver<T> {
        self.subscribe_with(Vec::new)
    }

    /// A subscription that starts with `snapshot()` (e.g. the cache's content) and goes on
    /// with every item sent afterwards. The snapshot is taken while senders wait, so nothing
    /// changed in between is missed (an item may arrive twice, which controllers absorb).
    pub fn subscribe_with(&self, snapshot: impl FnOnce() -> Vec<T>) -> UnboundedReceiver<T> {
        let (tx, rx) = unbounded();
        if let Ok(mut subscribers) = self.subscribers.lock() {
            for item in snapshot() {
                let _ = tx.unbounded_send(item);
            }
            subscribers.push(tx);
        }
        rx
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::StreamExt;

    #[tokio::test]
    async fn only_subscribers_receive_snapshots_first_and_dropped_ones_are_forgotten() {
        let fanout = Fanout::<u32>::default();
        fanout.send(&1); // nobody listens: dropped
        let mut a = fanout.subscribe();
        let b = fanout.subscribe();
        fanout.send(&2);
        drop(b);
        fanout.send(&3);
        assert_eq!(fanout.subscribers.lock().expect("lock").len(), 1);
        let mut c = fanout.subscribe_with(|| vec![10, 11]);
        fanout.send(&4);
        drop(fanout);
        assert_eq!(a.next().await, Some(2));
        assert_eq!(a.next().await, Some(3));
        assert_eq!(a.next().await, Some(4));
        assert_eq!(a.next().await, None);
        assert_eq!(c.next().await, Some(10));
        assert_eq!(c.next().await, Some(11));
        assert_eq!(c.next().await, Some(4));
    }
}
