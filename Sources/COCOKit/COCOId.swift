import Foundation

/// COCO ids as pycocotools sees them: any JSON value Python can hash, equal and ordered as in Python.
///
/// pycocotools accepts any id used consistently: integers, `1.0` (equal to `1`), `1.5`, huge
/// integers, strings, even `true` (equal to `1`). COCOKit keeps ids as `Int` keys:
/// - an integer in `plainRange` (every realistic id) is its own key: no table, no lock;
/// - any other id (a string, a non-integral or infinite number, an integer outside that range) is
///   interned in a process-wide, append-only table and gets a key ≥ 2^62 that no plain id can
///   have. Equal ids get equal keys in every file, so a ground truth and a results file loaded
///   separately still match; `"2299"` and `2299` get different keys, as Python keeps them apart.
///
/// Order is Python's (`sorted(getImgIds())`, then NumPy's `np.unique`): numbers by value, strings
/// by code point. `sortedUnique(_:)` applies it and refuses what pycocotools cannot evaluate
/// (strings mixed with numbers; ids NumPy would round, see `numpyFloat64Problem`).
public enum COCOId {
    /// Integers in this range are their own key.
    public static let plainRange: Range<Int> = -0x4000_0000_0000_0000 ..< 0x4000_0000_0000_0000

    /// Whether an integer id is its own key (`plainRange`, spelled out for the parser's hot path).
    @inline(__always)
    static func isPlain(_ i: Int64) -> Bool { i >= -0x4000_0000_0000_0000 && i < 0x4000_0000_0000_0000 }

    /// An id that is not a plain integer (or, from `value(of:)`, any id).
    public enum Value: Hashable, Sendable {
        /// An integer in `plainRange`.
        case integer(Int)
        /// An integer outside `plainRange`: sign and canonical decimal digits (no leading zeros).
        case bigInteger(negative: Bool, digits: String)
        /// A non-integral or infinite number (Python float).
        case real(Double)
        /// A string, as its UTF-8 bytes (lone surrogates as WTF-8, as the reader decodes them).
        case string([UInt8])
    }

    /// The key of an id value (interning it if needed).
    public static func key(_ value: Value) -> Int {
        if case let .integer(i) = value, plainRange.contains(i) { return i }
        return Table.shared.key(value)
    }

    /// The key of a string id.
    public static func key(string: String) -> Int { key(.string(Array(string.utf8))) }

    /// The key of a string id if some file or caller already used it (no interning).
    static func existingKey(string: String) -> Int? { Table.shared.existingKey(.string(Array(string.utf8))) }

    /// Whether `key` stands for an interned id (not a plain integer).
    @inline(__always)
    public static func isInterned(_ key: Int) -> Bool { key >= 0x4000_0000_0000_0000 }

    /// The id a key stands for.
    public static func value(of key: Int) -> Value {
        isInterned(key) ? Table.shared.value(key) : .integer(key)
    }

    /// The id as JSON text: `12`, `"cat"` (escaped as Python's `json.dumps(ensure_ascii=False)`), `1.5`, `Infinity`.
    public static func jsonText(_ key: Int) -> String {
        switch value(of: key) {
        case let .string(bytes): return quoted(bytes)
        default: return displayText(key)
        }
    }

    /// The id for tables and CSV: numbers as in JSON, strings without quotes.
    public static func displayText(_ key: Int) -> String {
        switch value(of: key) {
        case let .integer(i): return String(i)
        case let .bigInteger(negative, digits): return (negative ? "-" : "") + digits
        case let .real(d): return d.isInfinite ? (d < 0 ? "-Infinity" : "Infinity") : COCOEvalSummary.pythonRepr(d)
        case let .string(bytes): return String(decoding: bytes, as: UTF8.self)
        }
    }

    static func quoted(_ bytes: [UInt8]) -> String {
        var out = [UInt8(ascii: "\"")]
        for b in bytes {
            switch b {
            case 0x22: out += [0x5C, 0x22]
            case 0x5C: out += [0x5C, 0x5C]
            case 0x0A: out += [0x5C, UInt8(ascii: "n")]
            case 0x0D: out += [0x5C, UInt8(ascii: "r")]
            case 0x09: out += [0x5C, UInt8(ascii: "t")]
            case 0x08: out += [0x5C, UInt8(ascii: "b")]
            case 0x0C: out += [0x5C, UInt8(ascii: "f")]
            case ..<0x20: out += Array(String(format: "\\u%04x", b).utf8)
            default: out.append(b)
            }
        }
        out.append(UInt8(ascii: "\""))
        return String(decoding: out, as: UTF8.self)
    }

    /// An integer given by its decimal digits (`"-12"`, `"18446744073709551616"`).
    static func integerValue(negative: Bool, digits: some Collection<UInt8>) -> Value {
        var d = Array(digits.drop { $0 == UInt8(ascii: "0") })
        if d.isEmpty { d = [UInt8(ascii: "0")] }
        if d.count <= 18, let m = Int(String(decoding: d, as: UTF8.self)) { return .integer(negative ? -m : m) }
        if d.count <= 19, let m = Int(String(decoding: d, as: UTF8.self)), plainRange.contains(negative ? -m : m) {
            return .integer(negative ? -m : m)
        }
        return .bigInteger(negative: negative, digits: String(decoding: d, as: UTF8.self))
    }

    /// A number read as a Python float (a JSON number with a fraction or an exponent): integral
    /// values equal the integer (`1.0 == 1`), others stay reals. NaN is not an id (never equal).
    static func numberValue(_ v: Double) -> Value? {
        if v.isNaN { return nil }
        if v.isInfinite || v != v.rounded(.towardZero) { return .real(v) }
        if abs(v) < 0x1p62 { return .integer(Int(v)) }
        return integerValue(negative: v < 0, digits: Array(String(format: "%.0f", abs(v)).utf8))
    }

    // MARK: - Order

    /// Python's `a < b` for two ids; nil when they are not comparable (a string and a number).
    static func pythonLess(_ a: Value, _ b: Value) -> Bool? {
        switch (a, b) {
        case let (.string(x), .string(y)): return x.lexicographicallyPrecedes(y)
        case (.string, _), (_, .string): return nil
        case let (.integer(x), .integer(y)): return x < y
        case let (.real(x), .real(y)): return x < y
        // A real is non-integral (|x| < 2^52) or infinite: rounding an integer to a double cannot cross it.
        case let (.integer(x), .real(y)): return Double(x) < y
        case let (.real(x), .integer(y)): return x < Double(y)
        // A big integer's magnitude (≥ 2^62) exceeds every plain integer and every finite real.
        case let (.bigInteger(n, _), .integer): return n
        case let (.integer, .bigInteger(n, _)): return !n
        case let (.bigInteger(n, _), .real(y)): return y.isInfinite ? y > 0 : n
        case let (.real(x), .bigInteger(n, _)): return x.isInfinite ? x < 0 : !n
        case let (.bigInteger(n1, d1), .bigInteger(n2, d2)):
            if n1 != n2 { return n1 }
            if d1 == d2 { return false }
            let magnitudeLess = d1.count != d2.count ? d1.count < d2.count : d1 < d2
            return n1 ? !magnitudeLess : magnitudeLess
        }
    }

    /// Ids as pycocotools orders them for `params.imgIds` / `params.catIds`: unique, Python order.
    ///
    /// `floatTyped` lists integral ids whose first occurrence was written as a float literal
    /// (`3.0`): NumPy then builds a float64 array. Throws `.mismatch` for what pycocotools cannot
    /// evaluate correctly (`what` names the ids in messages, e.g. "image ids").
    static func sortedUnique(_ keys: [Int], floatTyped: Set<Int> = [], what: String) throws -> [Int] {
        let unique = Array(Set(keys))
        // Plain integers only: NumPy keeps them as int64, exactly.
        guard unique.contains(where: isInterned) || !floatTyped.isEmpty else { return unique.sorted() }
        let values = unique.map(value(of:))
        if values.contains(where: { if case .string = $0 { return true } else { return false } }),
           let number = values.firstIndex(where: { if case .string = $0 { return false } else { return true } }),
           let string = values.firstIndex(where: { if case .string = $0 { return true } else { return false } }) {
            throw COCOError(.mismatch, "the \(what) mix strings and numbers (e.g. \(jsonText(unique[string])) and "
                            + "\(jsonText(unique[number]))); pycocotools cannot sort them (TypeError: '<' not supported "
                            + "between instances of 'str' and 'int'). Write every id of a kind the same way.")
        }
        let order = unique.indices.sorted { pythonLess(values[$0], values[$1]) ?? false }
        let sorted = order.map { unique[$0] }
        if let problem = numpyFloat64Problem(sorted.map(value(of:)), floatTyped: !floatTyped.isDisjoint(with: sorted), what: what) {
            throw COCOError(.mismatch, problem)
        }
        return sorted
    }

    /// NumPy's `np.unique(ids)` types a list of Python numbers as object when an integer lies
    /// outside [-2^63, 2^64) (exact), else float64 when a float is present or integers below 2^63
    /// are mixed with integers of 2^63 or more, else int64 or uint64 (exact). As float64, integers that a double cannot hold are rounded: pycocotools then
    /// looks images up by the rounded value and silently drops or merges them. Returns a message
    /// naming such ids, or nil when NumPy keeps every id exactly.
    static func numpyFloat64Problem(_ values: [Value], floatTyped: Bool, what: String) -> String? {
        var hasFloat = floatTyped, hasInt64 = false, hasUInt64 = false
        var inexact: [String] = []
        for v in values {
            switch v {
            case .string: return nil
            case .real: hasFloat = true
            case let .integer(i):
                hasInt64 = true
                if Double(exactly: i) == nil { inexact.append(String(i)) }
            case let .bigInteger(negative, digits):
                guard let m = UInt64(digits) else { return nil }  // object array: exact
                if negative {
                    guard m <= 1 << 63 else { return nil }
                    hasInt64 = true
                } else if m < 1 << 63 { hasInt64 = true } else { hasUInt64 = true }
                if Double(exactly: m) == nil { inexact.append((negative ? "-" : "") + digits) }
            }
        }
        guard hasFloat || (hasInt64 && hasUInt64), !inexact.isEmpty else { return nil }
        let why = hasFloat ? "some ids are floating-point numbers" : "the ids mix values below 2^63 with values of 2^63 or more"
        return "pycocotools cannot evaluate these \(what): \(why), so NumPy's np.unique turns all of them into float64, "
            + "which rounds \(inexact.prefix(5).joined(separator: ", "))\(inexact.count > 5 ? ", …" : "") "
            + "(pycocotools would silently drop or merge those). Write the ids as integers below 2^63, or as strings."
    }

    // MARK: - The table

    /// The process-wide intern table (append-only; thread-safe).
    final class Table: @unchecked Sendable {
        static let base = 1 << 62
        static let shared = Table()
        private let lock = NSLock()
        private var values: [Value] = []
        private var index: [Value: Int] = [:]

        func key(_ v: Value) -> Int {
            lock.lock(); defer { lock.unlock() }
            if let i = index[v] { return Self.base + i }
            values.append(v)
            index[v] = values.count - 1
            return Self.base + values.count - 1
        }

        func existingKey(_ v: Value) -> Int? {
            lock.lock(); defer { lock.unlock() }
            return index[v].map { Self.base + $0 }
        }

        func value(_ key: Int) -> Value {
            lock.lock(); defer { lock.unlock() }
            let i = key - Self.base
            return i < values.count ? values[i] : .integer(key)
        }
    }
}

extension COCOId {
    /// What pycocotools does when a detection matches a ground truth with this annotation id: it
    /// stores the id in a float64 array (`dtm[t, d] = gt['id']`) and later tests it for truth.
    public enum MatchState: UInt8, Sendable {
        /// The id converts to 0 (`0`, `"0"`, `"-0.0"`, `"1e-400"`): the match reads as no match.
        case readsAsUnmatched = 0
        /// The id converts to a nonzero number (or NaN): an ordinary match.
        case matched = 1
        /// The conversion fails (`"abc"`, an integer beyond the double range): pycocotools stops
        /// with ValueError / OverflowError.
        case conversionFails = 2
        /// A non-ASCII string: Python's `float()` accepts Unicode digits and spaces, which
        /// cocoeval does not reproduce; refused if ever matched.
        case unsupported = 3
    }

    /// The match state of an annotation id (see `MatchState`).
    static func matchState(_ key: Int) -> MatchState {
        if !isInterned(key) { return key != 0 ? .matched : .readsAsUnmatched }
        switch value(of: key) {
        case let .integer(i): return i != 0 ? .matched : .readsAsUnmatched
        case let .bigInteger(_, digits): return Double(digits)?.isFinite == true ? .matched : .conversionFails
        case .real: return .matched
        case let .string(bytes): return pythonFloatState(bytes)
        }
    }

    /// Python's `float(s)` for an ASCII string: zero, nonzero/NaN, or ValueError.
    ///
    /// Grammar (Python's float()): whitespace, sign, then `inf`/`infinity`/`nan` (any case), or
    /// digits with single underscores between digits, an optional fraction, an optional exponent.
    static func pythonFloatState(_ bytes: [UInt8]) -> MatchState {
        if bytes.contains(where: { $0 >= 0x80 }) { return .unsupported }
        func isSpace(_ c: UInt8) -> Bool { c == 0x20 || (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x1F) }
        var s = bytes[...]
        while let c = s.first, isSpace(c) { s = s.dropFirst() }
        while let c = s.last, isSpace(c) { s = s.dropLast() }
        if let c = s.first, c == UInt8(ascii: "+") || c == UInt8(ascii: "-") { s = s.dropFirst() }
        let word = String(decoding: s, as: UTF8.self).lowercased()
        if word == "inf" || word == "infinity" || word == "nan" { return .matched }
        // digitpart ::= digit (["_"] digit)*
        var digits: [UInt8] = []
        var i = s.startIndex
        func digitPart() -> Bool {
            guard i < s.endIndex, s[i] >= 0x30 && s[i] <= 0x39 else { return false }
            while i < s.endIndex {
                if s[i] >= 0x30 && s[i] <= 0x39 { digits.append(s[i]); i += 1; continue }
                if s[i] == UInt8(ascii: "_"), i + 1 < s.endIndex, s[i + 1] >= 0x30 && s[i + 1] <= 0x39 { i += 1; continue }
                break
            }
            return true
        }
        let intPart = digitPart()
        var fracPart = false
        if i < s.endIndex, s[i] == UInt8(ascii: ".") {
            digits.append(UInt8(ascii: "."))
            i += 1
            fracPart = digitPart()
        }
        guard intPart || fracPart else { return .conversionFails }
        if i < s.endIndex, s[i] == UInt8(ascii: "e") || s[i] == UInt8(ascii: "E") {
            digits.append(UInt8(ascii: "e"))
            i += 1
            if i < s.endIndex, s[i] == UInt8(ascii: "+") || s[i] == UInt8(ascii: "-") { digits.append(s[i]); i += 1 }
            guard digitPart() else { return .conversionFails }
        }
        guard i == s.endIndex else { return .conversionFails }
        let value = strtod(String(decoding: digits, as: UTF8.self), nil)
        return value == 0 ? .readsAsUnmatched : .matched
    }
}
