//! The policing regions of England and Wales, used for tenants and for where suppliers deliver.

use crate::text_enum::text_enum;

text_enum! {
    /// A policing region (the regional organised-crime-unit areas), or `national`.
    pub enum Region {
        NorthEast = "north-east",
        NorthWest = "north-west",
        YorkshireAndTheHumber = "yorkshire-and-the-humber",
        EastMidlands = "east-midlands",
        WestMidlands = "west-midlands",
        Eastern = "eastern",
        SouthEast = "south-east",
        SouthWest = "south-west",
        London = "london",
        Wales = "wales",
        National = "national",
    }
}
