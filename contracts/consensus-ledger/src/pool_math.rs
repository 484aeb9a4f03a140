//! Small integer helpers.
use bt_interfaces::Balance;

/// `floor(amount × part / 65535)`: a u16 proportion of an amount.
pub fn proportion(amount: Balance, part: u16) -> Balance {
    amount.saturating_mul(Balance::from(part)).checked_div(Balance::from(u16::MAX)).unwrap_or(0)
}
