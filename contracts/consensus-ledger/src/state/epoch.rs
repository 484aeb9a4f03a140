//! Running a subnet's epoch on the ledger's side: settling its emission, preparing the
//! yuma snapshot, and storing what the epoch produced.
use super::*;
use ink::scale::Encode;

impl LedgerState {
    /// Blocks until `netuid`'s next epoch may run (0 when due).
    pub fn blocks_until_epoch(&self, netuid: u16, tempo: u16, now: BlockNumber) -> Option<BlockNumber> {
        let s = self.subnets.get(netuid)?;
        Some(s.last_epoch.saturating_add(u32::from(tempo)).saturating_sub(now))
    }

    /// Runs `netuid`'s epoch at `now` over the registry's `slots` and staking's `stakes` (one
    /// per slot), after the shell added the newly minted emission. Stores outputs, permits and
    /// bonds; returns what to pay. Call `finish_epoch` with what was actually paid.
    pub fn run_epoch(
        &mut self,
        view: &SubnetView,
        slots: &[NeuronSlot],
        stakes: &[Balance],
        now: BlockNumber,
    ) -> Result<EpochResult, LedgerError> {
        let netuid = view.netuid;
        let h = &view.hyperparams;
        let mut s = match self.subnets.get(netuid) {
            Some(s) if s.created_at == view.created_at => s,
            _ => {
                self.subnet_created(netuid, view.created_at);
                self.subnets.get(netuid).ok_or(LedgerError::SubnetNotFound)?
            }
        };
        let due = s.last_epoch.saturating_add(u32::from(h.tempo));
        if now < due {
            return Err(LedgerError::EpochNotDue { blocks_left: due.saturating_sub(now) });
        }
        if slots.len() > usize::from(MAX_EPOCH_UIDS) {
            return Err(LedgerError::SubnetTooLarge);
        }
        // Until root votes decide, registration-enabled subnets share equally, others get nothing.
        if !self.root_shares {
            let share = self.share_for_registration(h.registration_allowed, s.account.share);
            if s.account.share != share {
                self.pool.set_share(&mut s.account, share);
            }
        }
        self.pool.settle(&mut s.account);
        let accrued = s.account.accrued;
        // The cut applies to new emission only, never again to what earlier epochs carried.
        let new_emission = accrued.saturating_sub(s.carried_after_cut);
        let owner_cut = crate::pool_math::proportion(new_emission, self.params.owner_cut);
        let emission = u64::try_from(accrued.saturating_sub(owner_cut)).unwrap_or(u64::MAX);

        let n = u16::try_from(slots.len()).unwrap_or(MAX_EPOCH_UIDS);
        let metas = self.load_metas(netuid, n);
        // Only holders of the previous epoch's permit can matter here: yuma ignores the weight
        // rows of UIDs without it, and only permit holders were given a bond row. Skipping the
        // others saves a storage read each (two for the bonds, with the removal below).
        let had_permit: Vec<bool> = slots
            .iter()
            .enumerate()
            .map(|(i, slot)| metas.get(i).is_some_and(|m| m.permit_for(slot.registered_at)))
            .collect();
        let weight_rows: Vec<Vec<(u16, u16)>> = slots
            .iter()
            .zip(0u16..)
            .zip(&had_permit)
            // Strictly after the registration: a row set in the very block the UID changed hands
            // was its predecessor's (the newcomer cannot hold a permit in its first block).
            .map(|((slot, uid), permit)| match permit.then(|| self.weights.get((netuid, uid))).flatten() {
                Some(row) if row.at > slot.registered_at => row.entries,
                _ => Vec::new(),
            })
            .collect();
        let mut bond_rows: Vec<Vec<(u16, u16)>> = Vec::new();
        bond_rows.resize_with(slots.len(), Vec::new);
        for cell in 0..s.bond_cells {
            for (uid, row) in self.bonds.get((netuid, cell)).unwrap_or_default() {
                let i = usize::from(uid);
                let current = slots.get(i).is_some_and(|slot| row.at > slot.registered_at);
                if let (true, true, Some(slot)) = (current, had_permit.get(i).copied().unwrap_or(false), bond_rows.get_mut(i)) {
                    *slot = row.entries;
                }
            }
        }
        let empty = UidMeta::default();
        let inputs: Vec<yuma::NeuronInput> = slots
            .iter()
            .enumerate()
            .map(|(i, slot)| {
                let meta = metas.get(i).unwrap_or(&empty);
                yuma::NeuronInput {
                    stake: u64::try_from(stakes.get(i).copied().unwrap_or(0)).unwrap_or(u64::MAX),
                    last_update: u64::from(meta.last_update_for(slot.registered_at)),
                    registered_at: u64::from(slot.registered_at),
                    validator_permit: meta.permit_for(slot.registered_at),
                    weights: weight_rows.get(i).map(|r| r.as_slice()).unwrap_or(&[]),
                    bonds: bond_rows.get(i).map(|r| r.as_slice()).unwrap_or(&[]),
                }
            })
            .collect();
        let input = yuma::EpochInput {
            block: u64::from(now),
            emission,
            bonds_reset_block: u64::from(s.last_epoch.saturating_add(1)),
            params: epoch_params(h),
            neurons: &inputs,
        };
        let bonds = &mut self.bonds;
        let store = |cell: u16, rows: &BondCell| {
            bonds.insert((netuid, cell), rows);
        };
        let mut packer = BondPacker { store, cell: Vec::new(), bytes: 0, written: 0 };
        let outputs = yuma::run_epoch_streaming(&input, |uid, row: &[(u16, u16)]| packer.push(uid, now, row));
        let written = packer.finish();
        for stale in written..s.bond_cells {
            self.bonds.remove((netuid, stale));
        }
        s.bond_cells = written;
        // Free the rows before the outputs are built: at 1,024 UIDs they are half a megabyte
        // of the 1 MiB a contract may use.
        drop(inputs);
        drop(weight_rows);
        drop(bond_rows);

        let mut new_metas = metas;
        new_metas.resize(usize::from(n), UidMeta::default());
        let mut stored = Vec::with_capacity(outputs.len());
        let mut payouts = Vec::with_capacity(outputs.len());
        let mut pruning_scores = Vec::with_capacity(outputs.len());
        for (((o, slot), meta), uid) in outputs.iter().zip(slots).zip(new_metas.iter_mut()).zip(0u16..) {
            meta.permit = o.validator_permit;
            meta.permit_at = now;
            meta.last_update = meta.last_update_for(slot.registered_at);
            stored.push(UidOutput {
                epoch_block: now,
                active: o.active,
                stake_weight: o.stake_weight,
                consensus: o.consensus,
                incentive: o.incentive,
                dividends: o.dividends,
                validator_trust: o.validator_trust,
                emission: o.emission,
            });
            pruning_scores.push(o.pruning_score);
            if o.server_emission > 0 || o.validator_emission > 0 {
                payouts.push(Payout {
                    hotkey: slot.hotkey,
                    uid,
                    incentive: Balance::from(o.server_emission),
                    dividends: Balance::from(o.validator_emission),
                });
            }
        }
        self.store_chunks(netuid, &new_metas, &stored);
        self.subnets.insert(netuid, &s);
        Ok(EpochResult { accrued, owner_cut, emission, payouts, pruning_scores })
    }

    /// Closes the epoch: what was paid (owner cut included) leaves the subnet's account; the
    /// rest (rounding dust) stays for the next epoch.
    pub fn finish_epoch(&mut self, netuid: u16, now: BlockNumber, result: &EpochResult, paid: Balance) -> Result<Events, LedgerError> {
        let mut s = self.subnets.get(netuid).ok_or(LedgerError::SubnetNotFound)?;
        let spent = paid.checked_add(result.owner_cut).ok_or(LedgerError::Overflow)?;
        s.account.accrued = s.account.accrued.checked_sub(spent).ok_or(LedgerError::Overflow)?;
        s.carried_after_cut = s.account.accrued;
        s.last_epoch = now;
        s.epoch_index = s.epoch_index.saturating_add(1);
        self.subnets.insert(netuid, &s);
        Ok(ink::prelude::vec![LedgerEvent::EpochRun {
            netuid,
            block: now,
            emission: result.accrued,
            owner_cut: result.owner_cut,
            paid
        }])
    }

    fn load_metas(&self, netuid: u16, n: u16) -> Vec<UidMeta> {
        let mut out = Vec::with_capacity(usize::from(n));
        let mut chunk: u16 = 0;
        while out.len() < usize::from(n) {
            let records = self.metas.get((netuid, chunk)).unwrap_or_default();
            let want = usize::from(n).saturating_sub(out.len()).min(usize::from(CHUNK));
            out.extend(records.into_iter().chain(core::iter::repeat(UidMeta::default())).take(want));
            chunk = chunk.saturating_add(1);
        }
        out
    }

    fn store_chunks(&mut self, netuid: u16, metas: &[UidMeta], outputs: &[UidOutput]) {
        for (chunk, (m, o)) in metas.chunks(usize::from(CHUNK)).zip(outputs.chunks(usize::from(CHUNK))).enumerate() {
            let key = (netuid, u16::try_from(chunk).unwrap_or(u16::MAX));
            self.metas.insert(key, &m.to_vec());
            self.outputs.insert(key, &o.to_vec());
        }
    }
}

/// Writes an epoch's bond rows, arriving in UID order, into as few cells as fit.
struct BondPacker<F: FnMut(u16, &BondCell)> {
    /// Stores a full cell under its index.
    store: F,
    cell: BondCell,
    /// Encoded size of `cell` (its length prefix counted at its largest).
    bytes: usize,
    written: u16,
}

impl<F: FnMut(u16, &BondCell)> BondPacker<F> {
    /// Room for the cell's length prefix (a compact integer, 4 bytes up to 2^30 rows).
    const PREFIX: usize = 4;

    fn push(&mut self, uid: u16, at: BlockNumber, entries: &[(u16, u16)]) {
        if entries.is_empty() {
            return;
        }
        let row = Row { at, entries: entries.to_vec() };
        let size = uid.encoded_size().saturating_add(row.encoded_size());
        if !self.cell.is_empty() && self.bytes.saturating_add(size) > BOND_CELL_BYTES {
            self.flush();
        }
        self.bytes = self.bytes.max(Self::PREFIX).saturating_add(size);
        self.cell.push((uid, row));
    }

    fn flush(&mut self) {
        if self.cell.is_empty() {
            return;
        }
        (self.store)(self.written, &self.cell);
        self.cell.clear();
        self.bytes = 0;
        self.written = self.written.saturating_add(1);
    }

    /// Writes the last cell; returns how many cells hold the rows.
    fn finish(mut self) -> u16 {
        self.flush();
        self.written
    }
}

/// The yuma parameters of a subnet's hyperparameters.
pub fn epoch_params(h: &Hyperparams) -> yuma::EpochParams {
    yuma::EpochParams {
        kappa: h.kappa,
        bonds_penalty: h.bonds_penalty,
        bonds_moving_average: h.bonds_moving_average,
        activity_cutoff: u64::from(h.activity_cutoff),
        max_allowed_validators: h.max_allowed_validators,
        stake_threshold: h.stake_threshold,
        yuma3: h.yuma3,
        liquid_alpha: h.liquid_alpha,
        alpha_low: h.alpha_low,
        alpha_high: h.alpha_high,
        alpha_sigmoid_steepness: h.alpha_sigmoid_steepness,
    }
}
