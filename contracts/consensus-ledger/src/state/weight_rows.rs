//! Weight rows: set, commit and reveal (spec/economics.md §7).
use super::*;

impl LedgerState {
    /// Validates and stores a weight row for `uid` (registered at `slot`).
    #[allow(clippy::too_many_arguments)]
    pub fn set_weights(
        &mut self,
        view: &SubnetView,
        uid: u16,
        slot: &NeuronSlot,
        stake: Balance,
        now: BlockNumber,
        uids: &[u16],
        values: &[u16],
        version_key: u64,
    ) -> Result<Events, LedgerError> {
        let h = &view.hyperparams;
        if h.commit_reveal_enabled {
            return Err(LedgerError::CommitRevealEnabled);
        }
        let mut meta = self.meta(view.netuid, uid);
        let who = self.setter(&meta, uid, slot, view.n, stake, now);
        let row = weights::check(h, &who, uids, values, version_key, Mode::Direct)?;
        self.weights.insert((view.netuid, uid), &Row { at: now, entries: row });
        meta.last_update = now;
        self.set_meta(view.netuid, uid, meta);
        Ok(ink::prelude::vec![LedgerEvent::WeightsSet { netuid: view.netuid, uid }])
    }

    /// Stores a commitment to weights; the rate limit applies here.
    pub fn commit_weights(
        &mut self,
        view: &SubnetView,
        uid: u16,
        slot: &NeuronSlot,
        now: BlockNumber,
        hash: [u8; 32],
    ) -> Result<Events, LedgerError> {
        let h = &view.hyperparams;
        if !h.commit_reveal_enabled {
            return Err(LedgerError::CommitRevealDisabled);
        }
        let s = self.subnets.get(view.netuid).ok_or(LedgerError::SubnetNotFound)?;
        let mut meta = self.meta(view.netuid, uid);
        let last = meta.last_update_for(slot.registered_at);
        let ready = last.saturating_add(h.weights_rate_limit);
        if now < ready {
            return Err(LedgerError::TooSoon { blocks_left: ready.saturating_sub(now) });
        }
        let mut pending = self.pending_commits(view.netuid, slot.hotkey);
        commits::commit(&mut pending, hash, s.epoch_index, h.reveal_period_epochs, now)?;
        self.commits.insert((view.netuid, slot.hotkey), &(s.created_at, pending));
        meta.last_update = now;
        self.set_meta(view.netuid, uid, meta);
        Ok(ink::prelude::vec![LedgerEvent::WeightsCommitted { netuid: view.netuid, hotkey: slot.hotkey, hash }])
    }

    /// Reveals committed weights in their reveal epoch and stores them as of the commit block
    /// (last_update stays the commit block). A commit from before the hotkey's current
    /// registration is refused.
    #[allow(clippy::too_many_arguments)]
    pub fn reveal_weights(
        &mut self,
        view: &SubnetView,
        uid: u16,
        slot: &NeuronSlot,
        stake: Balance,
        now: BlockNumber,
        uids: &[u16],
        values: &[u16],
        salt: &[u16],
        version_key: u64,
    ) -> Result<Events, LedgerError> {
        let h = &view.hyperparams;
        if !h.commit_reveal_enabled {
            return Err(LedgerError::CommitRevealDisabled);
        }
        let s = self.subnets.get(view.netuid).ok_or(LedgerError::SubnetNotFound)?;
        let hash = commits::commit_hash(&slot.hotkey, view.netuid, uids, values, salt, version_key);
        let mut pending = self.pending_commits(view.netuid, slot.hotkey);
        let commit = commits::reveal(&mut pending, &hash, s.epoch_index, h.reveal_period_epochs)?;
        if commit.block < slot.registered_at {
            return Err(LedgerError::CommitBeforeRegistration);
        }
        let meta = self.meta(view.netuid, uid);
        let who = self.setter(&meta, uid, slot, view.n, stake, now);
        let row = weights::check(h, &who, uids, values, version_key, Mode::Reveal)?;
        self.commits.insert((view.netuid, slot.hotkey), &(s.created_at, pending));
        self.weights.insert((view.netuid, uid), &Row { at: commit.block, entries: row });
        Ok(ink::prelude::vec![LedgerEvent::WeightsSet { netuid: view.netuid, uid }])
    }

    fn setter(&self, meta: &UidMeta, uid: u16, slot: &NeuronSlot, n: u16, stake: Balance, now: BlockNumber) -> Setter {
        Setter {
            uid,
            n,
            stake,
            has_permit: meta.permit_for(slot.registered_at),
            last_update: meta.last_update_for(slot.registered_at),
            now,
        }
    }

    fn set_meta(&mut self, netuid: u16, uid: u16, meta: UidMeta) {
        let (chunk, at) = chunk_of(uid);
        let mut records = self.metas.get((netuid, chunk)).unwrap_or_default();
        if records.len() <= at {
            records.resize(at.saturating_add(1), UidMeta::default());
        }
        if let Some(slot) = records.get_mut(at) {
            *slot = meta;
        }
        self.metas.insert((netuid, chunk), &records);
    }
}
