//! Where in England and Wales a tenant serves and a supplier is based: the 43 police force areas.
//! Each is a county, a group of unitary areas or a metropolitan area, and lies in one policing
//! region, so an area also says its region. "Local" to a force means based in its area.

use crate::region::Region;
use crate::text_enum::text_enum;

text_enum! {
    /// A police force area (a county, a group of unitary areas or a metropolitan area).
    pub enum Area {
        Cleveland = "cleveland",
        Durham = "durham",
        Northumbria = "northumbria",
        Cheshire = "cheshire",
        Cumbria = "cumbria",
        GreaterManchester = "greater-manchester",
        Lancashire = "lancashire",
        Merseyside = "merseyside",
        Humberside = "humberside",
        NorthYorkshire = "north-yorkshire",
        SouthYorkshire = "south-yorkshire",
        WestYorkshire = "west-yorkshire",
        Derbyshire = "derbyshire",
        Leicestershire = "leicestershire",
        Lincolnshire = "lincolnshire",
        Northamptonshire = "northamptonshire",
        Nottinghamshire = "nottinghamshire",
        Staffordshire = "staffordshire",
        Warwickshire = "warwickshire",
        WestMercia = "west-mercia",
        WestMidlands = "west-midlands",
        Bedfordshire = "bedfordshire",
        Cambridgeshire = "cambridgeshire",
        Essex = "essex",
        Hertfordshire = "hertfordshire",
        Norfolk = "norfolk",
        Suffolk = "suffolk",
        HampshireAndIsleOfWight = "hampshire-and-isle-of-wight",
        Kent = "kent",
        Surrey = "surrey",
        Sussex = "sussex",
        ThamesValley = "thames-valley",
        AvonAndSomerset = "avon-and-somerset",
        DevonAndCornwall = "devon-and-cornwall",
        Dorset = "dorset",
        Gloucestershire = "gloucestershire",
        Wiltshire = "wiltshire",
        GreaterLondon = "greater-london",
        CityOfLondon = "city-of-london",
        DyfedPowys = "dyfed-powys",
        Gwent = "gwent",
        NorthWales = "north-wales",
        SouthWales = "south-wales",
    }
}

impl Area {
    /// The policing region the area lies in.
    pub fn region(self) -> Region {
        use Area::*;
        match self {
            Cleveland | Durham | Northumbria => Region::NorthEast,
            Cheshire | Cumbria | GreaterManchester | Lancashire | Merseyside => Region::NorthWest,
            Humberside | NorthYorkshire | SouthYorkshire | WestYorkshire => Region::YorkshireAndTheHumber,
            Derbyshire | Leicestershire | Lincolnshire | Northamptonshire | Nottinghamshire => Region::EastMidlands,
            Staffordshire | Warwickshire | WestMercia | WestMidlands => Region::WestMidlands,
            Bedfordshire | Cambridgeshire | Essex | Hertfordshire | Norfolk | Suffolk => Region::Eastern,
            HampshireAndIsleOfWight | Kent | Surrey | Sussex | ThamesValley => Region::SouthEast,
            AvonAndSomerset | DevonAndCornwall | Dorset | Gloucestershire | Wiltshire => Region::SouthWest,
            GreaterLondon | CityOfLondon => Region::London,
            DyfedPowys | Gwent | NorthWales | SouthWales => Region::Wales,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn there_are_43_areas_and_every_region_but_national_has_some() {
        assert_eq!(Area::ALL.len(), 43);
        for region in Region::ALL.iter().filter(|r| **r != Region::National) {
            assert!(Area::ALL.iter().any(|a| a.region() == *region), "{region}");
        }
    }
}
