import XCTest
import CSQLite

final class SQLiteLinkTests: XCTestCase {
    /// The system library links and is recent enough for WAL, JSON functions and views.
    func testSQLiteIsAvailable() {
        XCTAssertGreaterThanOrEqual(sqlite3_libversion_number(), 3_031_000)
    }
}
