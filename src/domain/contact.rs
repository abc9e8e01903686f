//! Contact details of the register: email, phone, web address, language, calendar date.

use chrono::NaiveDate;

/// Email address: one `@`, a dotted domain, no spaces, at most 254 characters.
pub fn email(raw: &str) -> Result<String, String> {
    let msg = "must be an email address such as trata@cancilleria.gob.ar";
    if raw.len() > 254 || raw.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(msg.into());
    }
    let (local, domain) = raw.rsplit_once('@').ok_or(msg)?;
    let domain_ok = domain.contains('.')
        && !domain.starts_with(['.', '-'])
        && !domain.ends_with(['.', '-'])
        && !domain.contains("..")
        && domain
            .chars()
            .all(|c| c.is_alphanumeric() || c == '.' || c == '-');
    if local.is_empty() || local.len() > 64 || local.contains('@') || !domain_ok {
        return Err(msg.into());
    }
    Ok(raw.to_string())
}

/// Phone number, E.164-ish: `+`, then 7 to 15 digits, spaces allowed between them.
pub fn phone(raw: &str) -> Result<String, String> {
    let msg = "must be an international number: '+' then 7 to 15 digits, spaces allowed (+54 11 4819 7000)";
    let rest = raw.strip_prefix('+').ok_or(msg)?;
    if !rest.chars().all(|c| c.is_ascii_digit() || c == ' ')
        || rest.starts_with(' ')
        || raw.ends_with(' ')
    {
        return Err(msg.into());
    }
    let digits = rest.chars().filter(char::is_ascii_digit).count();
    if !(7..=15).contains(&digits) {
        return Err(msg.into());
    }
    Ok(raw.to_string())
}

/// A web address: absolute `http` or `https` URL with a host, at most 2048 characters.
pub fn web_url(raw: &str) -> Result<String, String> {
    let msg = "must be an http(s) URL such as https://www.oas.org";
    if raw.len() > 2048 || raw.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(msg.into());
    }
    let parsed = url::Url::parse(raw).map_err(|_| msg.to_string())?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none_or(str::is_empty) {
        return Err(msg.into());
    }
    Ok(raw.to_string())
}

/// ISO 639-1 two-letter language codes.
pub const ISO_639_1: &[&str] = &[
    "aa", "ab", "ae", "af", "ak", "am", "an", "ar", "as", "av", "ay", "az", "ba", "be", "bg", "bi",
    "bm", "bn", "bo", "br", "bs", "ca", "ce", "ch", "co", "cr", "cs", "cu", "cv", "cy", "da", "de",
    "dv", "dz", "ee", "el", "en", "eo", "es", "et", "eu", "fa", "ff", "fi", "fj", "fo", "fr", "fy",
    "ga", "gd", "gl", "gn", "gu", "gv", "ha", "he", "hi", "ho", "hr", "ht", "hu", "hy", "hz", "ia",
    "id", "ie", "ig", "ii", "ik", "io", "is", "it", "iu", "ja", "jv", "ka", "kg", "ki", "kj", "kk",
    "kl", "km", "kn", "ko", "kr", "ks", "ku", "kv", "kw", "ky", "la", "lb", "lg", "li", "ln", "lo",
    "lt", "lu", "lv", "mg", "mh", "mi", "mk", "ml", "mn", "mr", "ms", "mt", "my", "na", "nb", "nd",
    "ne", "ng", "nl", "nn", "no", "nr", "nv", "ny", "oc", "oj", "om", "or", "os", "pa", "pi", "pl",
    "ps", "pt", "qu", "rm", "rn", "ro", "ru", "rw", "sa", "sc", "sd", "se", "sg", "si", "sk", "sl",
    "sm", "sn", "so", "sq", "sr", "ss", "st", "su", "sv", "sw", "ta", "te", "tg", "th", "ti", "tk",
    "tl", "tn", "to", "tr", "ts", "tt", "tw", "ty", "ug", "uk", "ur", "uz", "ve", "vi", "vo", "wa",
    "wo", "xh", "yi", "yo", "za", "zh", "zu",
];

/// An ISO 639-1 language code (lower case).
pub fn language(raw: &str) -> Result<String, String> {
    if ISO_639_1.binary_search(&raw).is_ok() {
        Ok(raw.to_string())
    } else {
        Err("must be an ISO 639-1 language code such as es, en, fr, pt".into())
    }
}

/// ISO 4217 currency codes in use (funds, metals and test codes left out).
pub const ISO_4217: &[&str] = &[
    "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT",
    "BGN", "BHD", "BIF", "BMD", "BND", "BOB", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD",
    "CDF", "CHF", "CLP", "CNY", "COP", "CRC", "CUP", "CVE", "CZK", "DJF", "DKK", "DOP", "DZD",
    "EGP", "ERN", "ETB", "EUR", "FJD", "FKP", "GBP", "GEL", "GHS", "GIP", "GMD", "GNF", "GTQ",
    "GYD", "HKD", "HNL", "HTG", "HUF", "IDR", "ILS", "INR", "IQD", "IRR", "ISK", "JMD", "JOD",
    "JPY", "KES", "KGS", "KHR", "KMF", "KPW", "KRW", "KWD", "KYD", "KZT", "LAK", "LBP", "LKR",
    "LRD", "LSL", "LYD", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRU", "MUR", "MVR",
    "MWK", "MXN", "MYR", "MZN", "NAD", "NGN", "NIO", "NOK", "NPR", "NZD", "OMR", "PAB", "PEN",
    "PGK", "PHP", "PKR", "PLN", "PYG", "QAR", "RON", "RSD", "RUB", "RWF", "SAR", "SBD", "SCR",
    "SDG", "SEK", "SGD", "SHP", "SLE", "SOS", "SRD", "SSP", "STN", "SVC", "SYP", "SZL", "THB",
    "TJS", "TMT", "TND", "TOP", "TRY", "TTD", "TWD", "TZS", "UAH", "UGX", "USD", "UYU", "UZS",
    "VES", "VND", "VUV", "WST", "XAF", "XCD", "XCG", "XOF", "XPF", "YER", "ZAR", "ZMW", "ZWG",
];

/// An ISO 4217 currency code (upper case).
pub fn currency(raw: &str) -> Result<String, String> {
    if ISO_4217.binary_search(&raw).is_ok() {
        Ok(raw.to_string())
    } else {
        Err("must be an ISO 4217 currency code such as USD, ARS, BRL".into())
    }
}

/// A real calendar date `YYYY-MM-DD` between 1900 and 2200.
pub fn date(raw: &str) -> Result<NaiveDate, String> {
    let msg = "must be a real date YYYY-MM-DD";
    if raw.len() != 10 {
        return Err(msg.into());
    }
    let d = NaiveDate::parse_from_str(raw, "%Y-%m-%d").map_err(|_| msg.to_string())?;
    let year = chrono::Datelike::year(&d);
    if !(1900..=2200).contains(&year) {
        return Err("must be a date between 1900 and 2200".into());
    }
    Ok(d)
}

/// Free text: trimmed of nothing, but bounded and free of control characters (newlines and tabs allowed).
pub fn text(raw: &str, max_chars: usize) -> Result<String, String> {
    if raw.trim().is_empty() {
        return Err("must not be empty".into());
    }
    if raw.chars().count() > max_chars {
        return Err(format!("must be at most {max_chars} characters"));
    }
    if raw
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\t' | '\r'))
    {
        return Err("must not contain control characters".into());
    }
    if raw
        .chars()
        .any(|c| matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'))
    {
        return Err("must not contain bidirectional override characters".into());
    }
    Ok(raw.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_lists_are_sorted_for_binary_search() {
        assert!(ISO_639_1.windows(2).all(|w| w[0] < w[1]));
        assert!(ISO_4217.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn contact_details_are_checked() {
        assert!(email("trata@cancilleria.gob.ar").is_ok());
        for bad in [
            "no-at.example",
            "a@b",
            "a b@c.org",
            "@c.org",
            "a@.org",
            "a@b..org",
        ] {
            assert!(email(bad).is_err(), "{bad}");
        }
        assert!(phone("+54 11 4819 7000").is_ok());
        for bad in [
            "4819 7000",
            "+54-11-4819",
            "+12",
            "+54 11 4819 7000 ext 2",
            "+ 54 11",
        ] {
            assert!(phone(bad).is_err(), "{bad}");
        }
        assert!(web_url("https://www.argentina.gob.ar/trata").is_ok());
        for bad in [
            "ftp://x.org",
            "javascript:alert(1)",
            "www.oas.org",
            "http://",
        ] {
            assert!(web_url(bad).is_err(), "{bad}");
        }
        assert!(language("es").is_ok() && language("ES").is_err() && language("xx").is_err());
        assert!(currency("USD").is_ok() && currency("usd").is_err() && currency("XAU").is_err());
        assert!(
            date("2024-02-29").is_ok() && date("2023-02-29").is_err() && date("2024-2-1").is_err()
        );
        assert!(
            text("ok", 5).is_ok()
                && text("   ", 5).is_err()
                && text("toolong", 5).is_err()
                && text("a\u{0}", 5).is_err()
        );
        assert!(text("evil\u{202E}txt", 50).is_err());
    }
}
