//! The service area of a station: the schools of its own city (GB/T 2260 division codes).

/// The schools whose open requests a station sees and may schedule: those of its own prefecture-level city. City
/// schemes have one collector visiting the city's schools (the small-generator collection pilot, MEE
/// 环办固体函〔2022〕66号, organised by city; the service area beyond that is UNCONFIRMED), and the city is digits 1-4
/// of the GB/T 2260 division code (`220104`, a district of Changchun: `2201`). A station registered at province
/// level (`220000`) serves its province (`22`). Returns the region prefix a school's code must start with; None
/// when the station's code is not a 6-digit division code (it then sees no other school's open request).
pub fn service_area(station_region: &str) -> Option<String> {
    if station_region.len() != 6 || !station_region.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let city = &station_region[..4];
    Some(if city.ends_with("00") {
        station_region[..2].to_owned()
    } else {
        city.to_owned()
    })
}

/// Whether a station of `station_region` serves a school of `school_region` (`service_area`).
pub fn station_serves(station_region: &str, school_region: &str) -> bool {
    service_area(station_region).is_some_and(|area| school_region.starts_with(area.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// GB/T 2260 digits 1-4 (the city) and the pilot's city schemes (MEE 环办固体函〔2022〕66号): a station sees
    /// the open requests of its city's schools only.
    #[test]
    fn a_station_serves_the_schools_of_its_own_city() {
        assert_eq!(service_area("220104").as_deref(), Some("2201"));
        assert!(station_serves("220104", "220102"));
        assert!(station_serves("220104", "220112"));
        assert!(
            !station_serves("220104", "220202"),
            "another city of the province"
        );
        assert!(!station_serves("220104", "110101"), "another province");
        assert_eq!(service_area("220000").as_deref(), Some("22"));
        assert!(station_serves("220000", "220202"));
        assert_eq!(service_area("2201"), None);
        assert_eq!(service_area("22010x"), None);
        assert!(!station_serves("", "220102"));
    }
}
