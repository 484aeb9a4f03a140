//! Neurons: registration by burn or proof of work (appending, or replacing the lowest
//! pruning score outside immunity) and serving axons.
use super::*;

impl RegistryState {
    /// Registers `hotkey` on `netuid` for `caller` by burn (price ≤ `max_price`, recycled by
    /// the shell) or by proof of work (free). Appends a UID while there is room, else replaces
    /// the lowest pruning score outside immunity.
    pub fn register(
        &mut self,
        registry: &AccountId,
        now: BlockNumber,
        netuid: u16,
        hotkey: AccountId,
        admission: Admission,
    ) -> Result<Registered, RegistryError> {
        if netuid == ROOT_NETUID {
            return Err(RegistryError::RootNetwork);
        }
        let mut s = self.subnets.get(netuid).ok_or(RegistryError::SubnetNotFound)?;
        let h = self.hyperparams.get(netuid).ok_or(RegistryError::SubnetNotFound)?;
        if !h.registration_allowed {
            return Err(RegistryError::RegistrationDisabled);
        }
        pricing::adjust_prices(&mut s, &h, now);
        if s.last_reg_block != now {
            s.regs_this_block = 0;
            s.last_reg_block = now;
        }
        if s.regs_this_block >= h.max_regs_per_block {
            return Err(RegistryError::TooManyRegistrationsThisBlock);
        }
        if u32::from(s.regs_this_interval) >= u32::from(h.target_regs_per_interval).saturating_mul(3) {
            let next = s.last_adjustment_block.saturating_add(h.adjustment_interval);
            return Err(RegistryError::TooManyRegistrationsThisInterval { blocks_left: next.saturating_sub(now) });
        }
        if self.current_uid(netuid, &s, hotkey).is_some() {
            return Err(RegistryError::HotkeyAlreadyRegistered);
        }
        if h.max_allowed_uids == 0 {
            return Err(RegistryError::NoUidAvailable);
        }
        let price = match admission {
            Admission::Burn { max_price } => {
                if s.burn > max_price {
                    return Err(RegistryError::PriceAboveMax { price: s.burn });
                }
                s.burn_regs_this_interval = s.burn_regs_this_interval.saturating_add(1);
                s.burn
            }
            Admission::Pow { block, nonce, work, coldkey } => {
                if !h.pow_registration_allowed {
                    return Err(RegistryError::PowRegistrationDisabled);
                }
                if block > now || now.saturating_sub(block) >= pow::WORK_WINDOW {
                    return Err(RegistryError::StaleWork);
                }
                if self.used_work.contains(work) {
                    return Err(RegistryError::WorkAlreadyUsed);
                }
                let seed = pow::seed(registry, netuid, block, s.registrations);
                if pow::seal(&seed, &hotkey, &coldkey, nonce) != work {
                    return Err(RegistryError::InvalidSeal);
                }
                if !pow::meets_difficulty(&work, s.difficulty) {
                    return Err(RegistryError::DifficultyNotMet);
                }
                self.used_work.insert(work, &());
                s.pow_regs_this_interval = s.pow_regs_this_interval.saturating_add(1);
                0
            }
        };
        let (uid, replaced) = if s.n < h.max_allowed_uids {
            (self.append_neuron(netuid, &mut s, hotkey, now)?, None)
        } else {
            let uid = self.neuron_to_prune(netuid, &s, &h, now).ok_or(RegistryError::NoUidAvailable)?;
            (uid, Some(self.replace_neuron(netuid, &s, uid, hotkey, now)?))
        };
        s.regs_this_block = s.regs_this_block.saturating_add(1);
        s.regs_this_interval = s.regs_this_interval.saturating_add(1);
        s.registrations = s.registrations.saturating_add(1);
        self.subnets.insert(netuid, &s);
        Ok(Registered {
            uid,
            price,
            events: ink::prelude::vec![RegistryEvent::NeuronRegistered { netuid, uid, hotkey, replaced, price }],
        })
    }

    /// The hotkey `caller` announces where it serves on `netuid`.
    #[allow(clippy::too_many_arguments)]
    pub fn serve_axon(
        &mut self,
        caller: AccountId,
        now: BlockNumber,
        netuid: u16,
        version: u32,
        ip: u128,
        port: u16,
        ip_type: u8,
        protocol: u8,
    ) -> Result<Events, RegistryError> {
        let s = self.subnets.get(netuid).ok_or(RegistryError::SubnetNotFound)?;
        let h = self.hyperparams.get(netuid).ok_or(RegistryError::SubnetNotFound)?;
        if self.current_uid(netuid, &s, caller).is_none() {
            return Err(RegistryError::NotRegistered);
        }
        axon::validate(ip, ip_type, port, self.params.allow_local_axons)?;
        if let Some(previous) = self.axon(netuid, caller) {
            let ready = previous.block.saturating_add(h.serving_rate_limit);
            if h.serving_rate_limit > 0 && previous.block > 0 && now < ready {
                return Err(RegistryError::ServingRateLimited { blocks_left: ready.saturating_sub(now) });
            }
        }
        let info = AxonInfo { block: now, version, ip, port, ip_type, protocol };
        self.axons.insert((netuid, caller), &(info, s.generation));
        Ok(ink::prelude::vec![RegistryEvent::AxonServed { netuid, hotkey: caller }])
    }


    pub(super) fn current_uid(&self, netuid: u16, s: &Subnet, hotkey: AccountId) -> Option<u16> {
        self.current_slot(netuid, s, hotkey).map(|(uid, _)| uid)
    }

    pub(super) fn current_slot(&self, netuid: u16, s: &Subnet, hotkey: AccountId) -> Option<(u16, NeuronSlot)> {
        match self.uids.get((netuid, hotkey)) {
            Some((uid, generation, registered_at)) if generation == s.generation && uid < s.n => {
                Some((uid, NeuronSlot { hotkey, registered_at }))
            }
            _ => None,
        }
    }

    pub(super) fn append_neuron(&mut self, netuid: u16, s: &mut Subnet, hotkey: AccountId, now: BlockNumber) -> Result<u16, RegistryError> {
        let uid = s.n;
        let n = s.n.checked_add(1).ok_or(RegistryError::Overflow)?;
        self.write_neuron_record(netuid, uid, NeuronRecord { hotkey, registered_at: now, generation: s.generation })?;
        self.uids.insert((netuid, hotkey), &(uid, s.generation, now));
        s.n = n;
        Ok(uid)
    }

    /// Puts `hotkey` at `uid`; returns the hotkey it replaced.
    pub(super) fn replace_neuron(&mut self, netuid: u16, s: &Subnet, uid: u16, hotkey: AccountId, now: BlockNumber) -> Result<AccountId, RegistryError> {
        let old = self.neuron_record(netuid, uid).ok_or(RegistryError::NoUidAvailable)?;
        self.write_neuron_record(netuid, uid, NeuronRecord { hotkey, registered_at: now, generation: s.generation })?;
        self.uids.remove((netuid, old.hotkey));
        self.axons.remove((netuid, old.hotkey));
        self.uids.insert((netuid, hotkey), &(uid, s.generation, now));
        // The ledger keys per-UID state by registration block, so the new occupant starts clean.
        let mut scores = self.pruning_scores.get(netuid).unwrap_or_default();
        if let Some(score) = scores.get_mut(usize::from(uid)) {
            *score = u16::MAX;
            self.pruning_scores.insert(netuid, &scores);
        }
        Ok(old.hotkey)
    }

    /// Classic rule: lowest pruning score outside immunity, ties to the earliest registration,
    /// then the lowest UID; only if every UID is immune, the same among the immune. The owner
    /// hotkey is never pruned.
    pub(super) fn neuron_to_prune(&self, netuid: u16, s: &Subnet, h: &Hyperparams, now: BlockNumber) -> Option<u16> {
        let scores = self.pruning_scores.get(netuid).unwrap_or_default();
        let mut best: Option<(bool, u16, BlockNumber, u16)> = None; // (immune, score, registered_at, uid)
        for (uid, record) in self.neuron_records(netuid, 0, s.n) {
            if record.hotkey == s.owner_hotkey {
                continue;
            }
            let immune = now.saturating_sub(record.registered_at) < h.immunity_period;
            let score = scores.get(usize::from(uid)).copied().unwrap_or(0);
            let key = (immune, score, record.registered_at, uid);
            if best.is_none_or(|b| key < b) {
                best = Some(key);
            }
        }
        best.map(|(_, _, _, uid)| uid)
    }
}
