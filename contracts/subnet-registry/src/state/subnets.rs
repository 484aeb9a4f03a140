//! Subnets: creation (with pruning at the limit), the fair-launch genesis, dissolution, and
//! the creation-order list.
use super::*;

impl RegistryState {
    /// `caller` creates a subnet with `hotkey` as its owner hotkey (UID 0), paying the lock
    /// cost (at most `max_lock`). When the subnet limit is reached, the prunable subnet with
    /// the lowest emission (oldest on ties) is dissolved and its netuid reused.
    /// `shares` are the subnets' emission shares from the ledger (`subnets_at_limit` says when
    /// they are needed; a subnet missing from them counts as earning nothing).
    pub fn create_subnet(
        &mut self,
        caller: AccountId,
        now: BlockNumber,
        hotkey: AccountId,
        max_lock: Balance,
        shares: &[(u16, u128)],
    ) -> Result<Created, RegistryError> {
        if let Some(last) = self.last_creation.get(caller) {
            let ready = last.saturating_add(self.params.network_rate_limit);
            if now < ready {
                return Err(RegistryError::NetworkRateLimited { blocks_left: ready.saturating_sub(now) });
            }
        }
        let lock = self.lock_cost(now);
        if lock > max_lock {
            return Err(RegistryError::LockCostAboveMax { cost: lock });
        }
        let mut events = Vec::new();
        let mut refund = None;
        let mut dissolved = None;
        let netuid = if self.subnet_count < self.params.subnet_limit {
            self.take_free_netuid()?
        } else {
            let victim = self.subnet_to_prune(now, shares)?;
            let (owner, returned, ev) = self.dissolve(victim)?;
            events.extend(ev);
            refund = Some((owner, returned));
            dissolved = Some(victim);
            self.take_free_netuid()?
        };
        events.extend(self.found(caller, now, hotkey, lock, netuid)?);
        self.last_lock = lock;
        self.last_lock_block = now;
        self.last_creation.insert(caller, &now);
        Ok(Created { netuid, lock, dissolved, refund, events })
    }

    /// The fair-launch genesis (admin, once, before any other subnet): netuid 1 for `caller`
    /// with `hotkey` as UID 0 and no lock, so a network deployed without any premine has a
    /// subnet that miners enter by proof of work, for free, and emission flows from here.
    pub fn create_genesis_subnet(&mut self, caller: AccountId, now: BlockNumber, hotkey: AccountId) -> Result<Created, RegistryError> {
        if self.generation != 0 {
            return Err(RegistryError::GenesisClosed);
        }
        let netuid = self.take_free_netuid()?;
        let events = self.found(caller, now, hotkey, 0, netuid)?;
        Ok(Created { netuid, lock: 0, dissolved: None, refund: None, events })
    }

    /// Opens subnet `netuid` for `owner` with `hotkey` as UID 0 and `lock` held.
    pub(super) fn found(&mut self, owner: AccountId, now: BlockNumber, hotkey: AccountId, lock: Balance, netuid: u16) -> Result<Events, RegistryError> {
        self.generation = self.generation.checked_add(1).ok_or(RegistryError::Overflow)?;
        let subnet = Subnet {
            owner,
            owner_hotkey: hotkey,
            created_at: now,
            generation: self.generation,
            locked: lock,
            n: 0,
            burn: INITIAL_BURN,
            difficulty: INITIAL_DIFFICULTY,
            last_adjustment_block: now,
            regs_this_interval: 0,
            burn_regs_this_interval: 0,
            pow_regs_this_interval: 0,
            regs_this_block: 0,
            last_reg_block: now,
            registrations: 0,
            last_owner_hparams_change: None,
            prev: self.newest,
            next: None,
        };
        self.link_newest(netuid, subnet)?;
        self.hyperparams.insert(netuid, &new_subnet_defaults());
        self.pruning_scores.remove(netuid);
        self.subnet_count = self.subnet_count.checked_add(1).ok_or(RegistryError::Overflow)?;
        let mut s = self.subnets.get(netuid).ok_or(RegistryError::SubnetNotFound)?;
        self.append_neuron(netuid, &mut s, hotkey, now)?;
        s.registrations = 1;
        self.subnets.insert(netuid, &s);
        Ok(ink::prelude::vec![
            RegistryEvent::SubnetCreated { netuid, owner, lock },
            RegistryEvent::NeuronRegistered { netuid, uid: 0, hotkey, replaced: None, price: 0 },
        ])
    }

    /// True when creating a subnet now would dissolve another (the shell then asks the
    /// ledger for every subnet's emission share).
    pub fn subnets_at_limit(&self) -> bool {
        self.subnet_count >= self.params.subnet_limit
    }

    /// The owner dissolves its subnet; returns (owner, lock refund, lock recycled, events).
    /// Within its immunity period the lock is recycled instead of refunded: otherwise creating
    /// a subnet at the limit and dissolving it at once would evict another subnet for free.
    pub fn dissolve_subnet(
        &mut self,
        caller: AccountId,
        netuid: u16,
        now: BlockNumber,
    ) -> Result<(AccountId, Balance, Balance, Events), RegistryError> {
        let s = self.subnets.get(netuid).ok_or(RegistryError::SubnetNotFound)?;
        if s.owner != caller {
            return Err(RegistryError::NotSubnetOwner);
        }
        let immune = now.saturating_sub(s.created_at) < self.params.network_immunity_period;
        let (owner, lock, mut events) = self.dissolve(netuid)?;
        if !immune {
            return Ok((owner, lock, 0, events));
        }
        if let Some(RegistryEvent::SubnetDissolved { refund, .. }) = events.first_mut() {
            *refund = 0;
        }
        Ok((owner, 0, lock, events))
    }


    /// The subnet to dissolve at the limit: the lowest emission share among subnets past their
    /// immunity, the oldest on ties (subtensor's `get_subnet_to_prune`).
    pub(super) fn subnet_to_prune(&self, now: BlockNumber, shares: &[(u16, u128)]) -> Result<u16, RegistryError> {
        let share_of = |netuid: u16| shares.iter().find(|(n, _)| *n == netuid).map_or(0, |(_, share)| *share);
        let mut best: Option<(u128, u16)> = None;
        let mut cursor = self.oldest;
        while let Some(netuid) = cursor {
            let s = self.subnets.get(netuid).ok_or(RegistryError::SubnetNotFound)?;
            let prunable = now.saturating_sub(s.created_at) >= self.params.network_immunity_period;
            // Strictly lower only: walking oldest first, the oldest wins ties.
            if prunable && best.is_none_or(|(share, _)| share_of(netuid) < share) {
                best = Some((share_of(netuid), netuid));
            }
            cursor = s.next;
        }
        if let Some((_, netuid)) = best {
            return Ok(netuid);
        }
        let oldest = self.oldest.ok_or(RegistryError::SubnetNotFound)?;
        let s = self.subnets.get(oldest).ok_or(RegistryError::SubnetNotFound)?;
        let free_at = s.created_at.saturating_add(self.params.network_immunity_period);
        Err(RegistryError::SubnetLimitReached { immune_for: free_at.saturating_sub(now) })
    }

    /// Removes a subnet in O(1): its neuron records become stale with its generation.
    pub(super) fn dissolve(&mut self, netuid: u16) -> Result<(AccountId, Balance, Events), RegistryError> {
        let s = self.subnets.get(netuid).ok_or(RegistryError::SubnetNotFound)?;
        self.unlink(&s)?;
        self.subnets.remove(netuid);
        self.hyperparams.remove(netuid);
        self.pruning_scores.remove(netuid);
        let at = self.free_netuids.partition_point(|&f| f < netuid);
        self.free_netuids.insert(at, netuid);
        self.subnet_count = self.subnet_count.saturating_sub(1);
        Ok((s.owner, s.locked, ink::prelude::vec![RegistryEvent::SubnetDissolved {
            netuid,
            owner: s.owner,
            refund: s.locked
        }]))
    }

    pub(super) fn take_free_netuid(&mut self) -> Result<u16, RegistryError> {
        if !self.free_netuids.is_empty() {
            return Ok(self.free_netuids.remove(0));
        }
        let netuid = self.next_fresh_netuid;
        if netuid == u16::MAX {
            return Err(RegistryError::Overflow);
        }
        self.next_fresh_netuid = netuid.saturating_add(1);
        Ok(netuid)
    }

    pub(super) fn link_newest(&mut self, netuid: u16, subnet: Subnet) -> Result<(), RegistryError> {
        if let Some(newest) = self.newest {
            let mut n = self.subnets.get(newest).ok_or(RegistryError::SubnetNotFound)?;
            n.next = Some(netuid);
            self.subnets.insert(newest, &n);
        } else {
            self.oldest = Some(netuid);
        }
        self.newest = Some(netuid);
        self.subnets.insert(netuid, &subnet);
        Ok(())
    }

    pub(super) fn unlink(&mut self, s: &Subnet) -> Result<(), RegistryError> {
        match s.prev {
            Some(prev) => {
                let mut p = self.subnets.get(prev).ok_or(RegistryError::SubnetNotFound)?;
                p.next = s.next;
                self.subnets.insert(prev, &p);
            }
            None => self.oldest = s.next,
        }
        match s.next {
            Some(next) => {
                let mut n = self.subnets.get(next).ok_or(RegistryError::SubnetNotFound)?;
                n.prev = s.prev;
                self.subnets.insert(next, &n);
            }
            None => self.newest = s.prev,
        }
        Ok(())
    }
}
