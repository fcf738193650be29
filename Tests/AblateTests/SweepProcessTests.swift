import XCTest
@testable import Ablate
import Engine

/// The runner for real: `ablate sweep` processes with worker children, driven by the test-only
/// synthetic executor, on a fresh database each.
final class SweepProcessTests: XCTestCase {
    private func finishedRunsAndLogs(_ path: String) throws -> (runs: Int, attempts: Int, logRows: Int, metrics: [String: Double]) {
        let store = try RunStore(path: path, create: false)
        let runs = try store.db.scalar("SELECT COUNT(*) FROM runs WHERE status = 'finished'")?.int ?? -1
        let attempts = try store.db.scalar("SELECT SUM(attempts) FROM runs")?.int ?? -1
        let logRows = try store.db.scalar("SELECT COUNT(*) FROM train_log")?.int ?? -1
        var metrics: [String: Double] = [:]
        for row in try store.db.query("SELECT run_id || ':' || name, value FROM metrics") {
            metrics[row[0].string ?? ""] = row[1].double
        }
        return (runs, attempts, logRows, metrics)
    }

    /// The real trainer through the whole chain: backbone pretrained once by the sweep, two tiny
    /// runs trained in worker processes, artifacts written, metrics and logs stored.
    func testRealTrainerSweepStoresMetricsArtifactsAndSharesThePretrainedBackbone() throws {
        let dir = try TempDir()
        let spec = try dir.writeSpec("tiny", """
            { "name": "tiny", "table": null,
              "rows": [ { "gamma": 2, "alpha": 0.25 }, { "gamma": 0, "alpha": 0.75 } ] }
            """, profiles: """
            {"quick": {"trainImages": 4, "valImages": 2, "scale": 64, "depth": 10, "width": 8, "fpnChannels": 8,
                       "headChannels": 8, "headConvs": 1, "iterations": 6, "batchSize": 2, "warmupIterations": 2,
                       "pretrainIterations": 2}}
            """)
        let r = try AblateBinary.run(["sweep", spec, "--db", "r.sqlite", "--jobs", "2"], in: dir, env: ["ABLATE_EXECUTOR": "trainer"])
        XCTAssertEqual(r.status, .status(0), r.stderr)
        XCTAssertTrue(r.stderr.contains("pretraining backbone"), r.stderr)
        let store = try RunStore(path: dir.path("r.sqlite"), create: false)
        let runs = try store.records(sweep: "tiny")
        XCTAssertEqual(runs.map(\.status), [.finished, .finished])
        let pretrained = try FileManager.default.contentsOfDirectory(atPath: dir.path("runs/pretrained"))
        XCTAssertEqual(pretrained.filter { $0.hasSuffix(".safetensors") }.count, 1, "one backbone shared by both runs")
        for run in runs {
            let metrics = try store.metrics(id: run.id)
            for key in ["AP", "AP50", "AR100", "inference_ms"] { XCTAssertNotNil(metrics[key], key) }
            XCTAssertEqual(try store.trainLog(id: run.id).last?.iteration, 6)
            let runDir = dir.url.appendingPathComponent("runs/tiny/\(run.id)")
            for file in ["gt.json", "preds.json", "metrics.json", "checkpoint.safetensors", "train_log.csv"] {
                XCTAssertTrue(FileManager.default.fileExists(atPath: runDir.appendingPathComponent(file).path), file)
            }
        }
        // Figure 4 from the first run's checkpoint: scores by run id, then the plot.
        let scores = try AblateBinary.run(["scores", String(runs[0].id.prefix(8)), "--db", "r.sqlite", "--out", "s.csv", "--max-negatives", "500"], in: dir)
        XCTAssertEqual(scores.status, .status(0), scores.stderr)
        let lines = try String(contentsOfFile: dir.path("s.csv"), encoding: .utf8).split(separator: "\n").filter { !$0.hasPrefix("#") }
        let negatives = lines.filter { $0.hasPrefix("0,") }.count
        XCTAssertTrue(negatives > 0 && negatives <= 500, "\(negatives) negatives")
        XCTAssertEqual(lines.count - negatives, lines.filter { $0.hasPrefix("1,") }.count, "only 0/1 labels")
        let plot = try AblateBinary.run(["plot", "fig4", "--scores", "s.csv", "--out", "f4"], in: dir)
        if lines.contains(where: { $0.hasPrefix("1,") }) {
            XCTAssertEqual(plot.status, .status(0), plot.stderr)
            XCTAssertTrue(FileManager.default.fileExists(atPath: dir.path("f4-negative.svg")))
        }
        let missing = try AblateBinary.run(["scores", "nosuchrun", "--db", "r.sqlite"], in: dir)
        XCTAssertNotEqual(missing.status, .status(0))
        XCTAssertTrue(missing.stderr.contains("nosuchrun"), missing.stderr)
    }

    func testSweepRunsEverythingOnceThenSkipsFinishedRuns() throws {
        let dir = try TempDir()
        let spec = try dir.writeSpec("gamma", smallGammaSpec)
        let env = AblateBinary.synthetic(seconds: 0.05)
        let first = try AblateBinary.run(["sweep", spec, "--db", "r.sqlite", "--jobs", "2"], in: dir, env: env)
        XCTAssertEqual(first.status, .status(0), first.stderr)
        XCTAssertTrue(first.stdout.contains("| 2 | 0.25 |"), first.stdout)
        XCTAssertTrue(first.stderr.contains("6 runs planned, 6 new, 0 already done"), first.stderr)
        let second = try AblateBinary.run(["sweep", spec, "--db", "r.sqlite", "--jobs", "2"], in: dir, env: env)
        XCTAssertEqual(second.status, .status(0))
        XCTAssertTrue(second.stderr.contains("6 runs planned, 0 new, 6 already done"), second.stderr)
        let state = try finishedRunsAndLogs(dir.path("r.sqlite"))
        XCTAssertEqual(state.runs, 6)
        XCTAssertEqual(state.attempts, 6, "no run executed twice")
        XCTAssertEqual(state.logRows, 18)
        // Artifacts and provenance.
        let store = try RunStore(path: dir.path("r.sqlite"), create: false)
        let run = try XCTUnwrap(try store.records(sweep: "gamma").first)
        XCTAssertNotNil(run.gitCommit); XCTAssertNotNil(run.host); XCTAssertNotNil(run.wallSeconds)
        let runDir = dir.url.appendingPathComponent("runs/gamma/\(run.id)")
        for file in ["metrics.json", "train_log.csv", "worker.log"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: runDir.appendingPathComponent(file).path), file)
        }
    }

    func testTwoConcurrentSweepsOnOneDatabaseNeverRunAConfigTwice() throws {
        let dir = try TempDir()
        let spec = try dir.writeSpec("gamma", smallGammaSpec)
        let env = AblateBinary.synthetic(seconds: 0.2)
        let a = try AblateBinary.start(["sweep", spec, "--db", "r.sqlite", "--jobs", "2"], in: dir, env: env, tag: "a")
        let b = try AblateBinary.start(["sweep", spec, "--db", "r.sqlite", "--jobs", "2"], in: dir, env: env, tag: "b")
        for (child, log) in [a, b] {
            XCTAssertEqual(child.wait(), .status(0), (try? String(contentsOfFile: log + ".err", encoding: .utf8)) ?? "")
        }
        let state = try finishedRunsAndLogs(dir.path("r.sqlite"))
        XCTAssertEqual(state.runs, 6)
        XCTAssertEqual(state.attempts, 6)
        XCTAssertEqual(state.logRows, 18)
    }

    func testKillDashNineThenRerunCompletesWithoutDuplicates() throws {
        let dir = try TempDir()
        let spec = try dir.writeSpec("gamma", smallGammaSpec)
        // Runs of 2 s: long enough that both observed workers are still inside their run when the
        // kill lands, even if this polling thread is descheduled for a while on a loaded machine.
        let env = AblateBinary.synthetic(seconds: 2)
        let (sweep, _) = try AblateBinary.start(["sweep", spec, "--db", "r.sqlite", "--jobs", "2", "--heartbeat", "0.2"],
                                                in: dir, env: env)
        // Wait until at least one run finished and two are running, then kill everything with -9
        // (the sweep and its workers, by pid): nothing gets to record anything.
        let deadline = Date().addingTimeInterval(20)
        var workers: [Int] = []
        while Date() < deadline {
            Thread.sleep(forTimeInterval: 0.05)
            guard let store = try? RunStore(path: dir.path("r.sqlite"), create: false) else { continue }
            let finished = (try? store.records(status: .finished).count) ?? 0
            let running = (try? store.records(status: .running)) ?? []
            if finished >= 1 && running.count == 2 && running.allSatisfy({ $0.pid != Int(sweep.pid) }) {
                workers = running.compactMap(\.pid)
                break
            }
        }
        XCTAssertEqual(workers.count, 2, "two workers were running")
        // Freeze the sweep first so it cannot reap the workers (or they notice it gone) in between.
        kill(sweep.pid, SIGSTOP)
        for w in workers { kill(pid_t(w), SIGKILL) }
        kill(sweep.pid, SIGKILL)
        _ = sweep.wait()
        // A worker spawned just before the freeze notices its sweep is gone and marks its run
        // killed; give it a moment. The SIGKILLed workers' runs are left 'running'.
        Thread.sleep(forTimeInterval: 0.3)
        let before = try RunStore(path: dir.path("r.sqlite"), create: false)
        let finishedBefore = Set(try before.records(status: .finished).map(\.id))
        XCTAssertFalse(try before.records(status: .running).isEmpty, "the killed runs are left 'running'")
        let killed = Set(try before.records(status: .running).map(\.id) + before.records(status: .killed).map(\.id))

        let rerun = try AblateBinary.run(["sweep", spec, "--db", "r.sqlite", "--jobs", "2"], in: dir, env: AblateBinary.synthetic(seconds: 0.05))
        XCTAssertEqual(rerun.status, .status(0), rerun.stderr)
        let store = try RunStore(path: dir.path("r.sqlite"), create: false)
        let all = try store.records(sweep: "gamma")
        XCTAssertEqual(all.count, 6)
        XCTAssertTrue(all.allSatisfy { $0.status == .finished })
        for run in all {
            XCTAssertEqual(run.attempts, killed.contains(run.id) ? 2 : 1, "only the killed runs ran again")
            if finishedBefore.contains(run.id) { XCTAssertEqual(run.attempts, 1, "finished runs are not rerun") }
        }
        XCTAssertEqual(try store.db.scalar("SELECT COUNT(*) FROM train_log")?.int, 18, "no duplicated or stale log rows")
        XCTAssertEqual(try store.db.scalar("SELECT COUNT(*) FROM metrics")?.int, 6 * 16)
    }

    func testCtrlCMarksRunningRunsKilledAndRerunResumes() throws {
        let dir = try TempDir()
        let spec = try dir.writeSpec("gamma", smallGammaSpec)
        let (sweep, log) = try AblateBinary.start(["sweep", spec, "--db", "r.sqlite", "--jobs", "2"], in: dir,
                                                  env: AblateBinary.synthetic(seconds: 5))
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            Thread.sleep(forTimeInterval: 0.05)
            if let store = try? RunStore(path: dir.path("r.sqlite"), create: false),
               let running = try? store.records(status: .running), running.count == 2,
               running.allSatisfy({ $0.pid != Int(sweep.pid) }) { break }
        }
        kill(sweep.pid, SIGINT)
        XCTAssertEqual(sweep.wait(), .status(130))
        let stderr = (try? String(contentsOfFile: log + ".err", encoding: .utf8)) ?? ""
        XCTAssertTrue(stderr.contains("interrupted: running runs marked killed"), stderr)
        let store = try RunStore(path: dir.path("r.sqlite"), create: false)
        XCTAssertEqual(try store.records(status: .killed).count, 2)
        XCTAssertEqual(try store.records(status: .running).count, 0)
        let rerun = try AblateBinary.run(["sweep", spec, "--db", "r.sqlite", "--jobs", "2"], in: dir, env: AblateBinary.synthetic(seconds: 0.05))
        XCTAssertEqual(rerun.status, .status(0), rerun.stderr)
        XCTAssertEqual(try store.records(status: .finished).count, 6)
    }

    func testShardsMergedEqualASingleSweep() throws {
        let dir = try TempDir()
        let spec = try dir.writeSpec("gamma", smallGammaSpec)
        let env = AblateBinary.synthetic(seconds: 0.02)
        let shards = try (0..<3).map { i in
            try AblateBinary.start(["sweep", spec, "--db", "shard-\(i).sqlite", "--shard", "\(i)/3", "--quiet"], in: dir, env: env, tag: "s\(i)")
        }
        let single = try AblateBinary.start(["sweep", spec, "--db", "single.sqlite", "--jobs", "2", "--quiet"], in: dir, env: env)
        for s in shards { XCTAssertEqual(s.0.wait(), .status(0)) }
        XCTAssertEqual(single.0.wait(), .status(0))
        let merge = try AblateBinary.run(["merge", "shard-0.sqlite", "shard-1.sqlite", "shard-2.sqlite", "--into", "merged.sqlite"], in: dir)
        XCTAssertEqual(merge.status, .status(0), merge.stderr)
        XCTAssertTrue(merge.stdout.contains("shard-0.sqlite: 2 runs added"), merge.stdout)
        // Merging again adds nothing.
        let again = try AblateBinary.run(["merge", "shard-1.sqlite", "--into", "merged.sqlite"], in: dir)
        XCTAssertTrue(again.stdout.contains("0 runs added, 0 upgraded to a result, 2 already present"), again.stdout)

        let merged = try finishedRunsAndLogs(dir.path("merged.sqlite"))
        let one = try finishedRunsAndLogs(dir.path("single.sqlite"))
        XCTAssertEqual(merged.runs, 6)
        XCTAssertEqual(merged.logRows, one.logRows)
        XCTAssertEqual(merged.metrics, one.metrics)
        let tableMerged = try AblateBinary.run(["table", "1b", "--db", "merged.sqlite", "--format", "csv"], in: dir)
        let tableSingle = try AblateBinary.run(["table", "1b", "--db", "single.sqlite", "--format", "csv"], in: dir)
        XCTAssertEqual(tableMerged.stdout, tableSingle.stdout)
        XCTAssertFalse(tableMerged.stdout.isEmpty)
    }

    func testFailedAndCrashedWorkersAreRecordedAndRetriedByTheNextSweep() throws {
        let dir = try TempDir()
        let spec = try dir.writeSpec("gamma", smallGammaSpec)
        var env = AblateBinary.synthetic(seconds: 0.02)
        env["ABLATE_SYNTHETIC_FAIL_ALPHA"] = "0.5"
        env["ABLATE_SYNTHETIC_CRASH_ALPHA"] = "0.75"
        let first = try AblateBinary.run(["sweep", spec, "--db", "r.sqlite", "--jobs", "2"], in: dir, env: env)
        XCTAssertEqual(first.status, .status(1))
        XCTAssertTrue(first.stderr.contains("4 of 6 runs have no result"), first.stderr)
        let store = try RunStore(path: dir.path("r.sqlite"), create: false)
        let failed = try store.records(status: .failed)
        XCTAssertEqual(failed.count, 4)
        XCTAssertEqual(failed.filter { $0.message?.contains("asked to fail for alpha 0.5") == true }.count, 2)
        XCTAssertEqual(failed.filter { $0.message?.contains("ended with signal 9 without recording a result") == true }.count, 2,
                       failed.map { $0.message ?? "" }.joined(separator: "\n"))
        let second = try AblateBinary.run(["sweep", spec, "--db", "r.sqlite", "--jobs", "2"], in: dir, env: AblateBinary.synthetic(seconds: 0.02))
        XCTAssertEqual(second.status, .status(0), second.stderr)
        XCTAssertEqual(try store.records(status: .finished).count, 6)
        XCTAssertEqual(try store.db.scalar("SELECT COUNT(*) FROM train_log")?.int, 18)
    }
}
