//! The root network: membership, votes and the root epoch that sets subnet shares.
use super::*;

impl LedgerState {
    /// Adds `hotkey` to the root network, replacing the lowest-stake member when full.
    /// `stakes` are the members' stakes in order, then the candidate's.
    pub fn root_register(&mut self, hotkey: AccountId, member_stakes: &[Balance], stake: Balance) -> Result<Events, LedgerError> {
        if self.root_members.contains(&hotkey) {
            return Err(LedgerError::AlreadyRootMember);
        }
        if stake < self.params.root_min_stake {
            return Err(LedgerError::RootStakeBelowMinimum { stake, minimum: self.params.root_min_stake });
        }
        let limit = usize::try_from(MAX_ROOT_MEMBERS).unwrap_or(usize::MAX);
        let replaced = if self.root_members.len() < limit {
            self.root_members.push(hotkey);
            None
        } else {
            let (lowest, lowest_stake) = member_stakes
                .iter()
                .enumerate()
                .min_by_key(|(i, s)| (**s, usize::MAX.saturating_sub(*i)))
                .map(|(i, s)| (i, *s))
                .ok_or(LedgerError::RootStakeTooLow)?;
            if stake <= lowest_stake {
                return Err(LedgerError::RootStakeTooLow);
            }
            let slot = self.root_members.get_mut(lowest).ok_or(LedgerError::RootStakeTooLow)?;
            let old = core::mem::replace(slot, hotkey);
            self.root_votes.remove(old);
            Some(old)
        };
        Ok(ink::prelude::vec![LedgerEvent::RootMemberAdded { hotkey, replaced }])
    }

    /// A root member votes on subnets; `existing` are the netuids that exist (sorted), so a
    /// row is never longer than the subnet count.
    pub fn set_root_weights(
        &mut self,
        hotkey: AccountId,
        now: BlockNumber,
        netuids: &[u16],
        values: &[u16],
        existing: &[u16],
    ) -> Result<(), LedgerError> {
        if !self.root_members.contains(&hotkey) {
            return Err(LedgerError::NotRootMember);
        }
        if netuids.len() != values.len() {
            return Err(LedgerError::LengthMismatch);
        }
        if let Some(previous) = self.root_votes.get(hotkey) {
            let ready = previous.at.saturating_add(self.params.root_weights_rate_limit);
            if now < ready {
                return Err(LedgerError::TooSoon { blocks_left: ready.saturating_sub(now) });
            }
        }
        let mut row: Vec<(u16, u16)> = netuids.iter().copied().zip(values.iter().copied()).collect();
        yuma::math::heapsort_by(&mut row, |a, b| a.0 < b.0);
        if row.windows(2).any(|w| matches!(w, [a, b] if a.0 == b.0)) {
            return Err(LedgerError::DuplicateUid);
        }
        if row.iter().any(|(netuid, _)| existing.binary_search(netuid).is_err()) {
            return Err(LedgerError::SubnetNotFound);
        }
        self.root_votes.insert(hotkey, &Row { at: now, entries: row });
        Ok(())
    }

    /// Runs the root epoch: `subnets` are the existing netuids with their registration flag,
    /// `member_stakes` the members' stakes. Settles every subnet, then sets its new share.
    pub fn run_root_epoch(&mut self, now: BlockNumber, subnets: &[(u16, bool)], member_stakes: &[Balance]) -> Result<Events, LedgerError> {
        let due = self.root_last_epoch.saturating_add(self.params.root_tempo);
        if self.root_last_epoch != 0 && now < due {
            return Err(LedgerError::RootEpochNotDue { blocks_left: due.saturating_sub(now) });
        }
        let mut eligible: Vec<u16> = subnets.iter().filter(|(_, open)| *open).map(|(n, _)| *n).collect();
        yuma::math::heapsort(&mut eligible);
        let stakes: Vec<u64> = member_stakes.iter().map(|s| u64::try_from(*s).unwrap_or(u64::MAX)).collect();
        let rows: Vec<Vec<(u16, u16)>> =
            self.root_members.iter().map(|m| self.root_votes.get(m).map(|r| r.entries).unwrap_or_default()).collect();
        let shares = crate::root::shares(&eligible, &stakes, &rows, self.params.root_rho, self.params.root_kappa);
        self.root_shares = shares.is_some();
        for (netuid, _) in subnets {
            let Some(mut s) = self.subnets.get(*netuid) else { continue };
            let share = match (&shares, eligible.binary_search(netuid)) {
                (_, Err(_)) => 0,
                (Some(values), Ok(k)) => values.get(k).copied().unwrap_or(0),
                (None, Ok(_)) => accrual::EQUAL_SHARE,
            };
            self.pool.set_share(&mut s.account, share);
            self.subnets.insert(*netuid, &s);
        }
        self.root_last_epoch = now;
        Ok(ink::prelude::vec![LedgerEvent::RootEpochRun { block: now, voted: self.root_shares }])
    }
}
