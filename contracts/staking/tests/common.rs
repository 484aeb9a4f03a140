//! Helpers shared by the staking test files.
#![allow(dead_code)]
use bt_interfaces::AccountId;

pub fn acc(n: u8) -> AccountId {
    AccountId::from([n; 32])
}

/// Runs a test body in a freshly reset ink! off-chain environment (storage needs a callee).
#[macro_export]
macro_rules! env_test {
    ($name:ident, $body:block) => {
        #[test]
        fn $name() {
            ink::env::test::run_test::<ink::env::DefaultEnvironment, _>(|_| {
                $body;
                Ok(())
            })
            .unwrap();
        }
    };
}
