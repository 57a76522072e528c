//! CPU time, from Linux's `/proc`: of one process (the server, nginx's worker, the bench
//! itself) and of the whole machine (how much of it stood idle). Clock ticks in `/proc` are
//! Linux's fixed 100 a second (`USER_HZ`).

/// CPU time process `pid` has used so far (user and system, all its threads), from
/// `/proc/<pid>/stat`.
pub fn cpu_seconds(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) may hold spaces; the fields after its `)` are plain.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i)?.parse::<u64>().ok();
    // utime and stime are fields 14 and 15, the 12th and 13th after the name.
    Some((ticks(11)? + ticks(12)?) as f64 / 100.0)
}

/// The machine's CPU time so far, all CPUs together, from the `cpu` line of `/proc/stat`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Machine {
    /// Ticks no task ran (idle, and idle waiting for the disk).
    idle: u64,
    /// Every tick, whatever it went to (time stolen by the host included).
    total: u64,
}

impl Machine {
    pub fn now() -> Option<Machine> {
        Machine::parse(&std::fs::read_to_string("/proc/stat").ok()?)
    }

    /// From the text of `/proc/stat`: user, nice, system, idle, iowait, irq, softirq,
    /// steal (guest time is already counted in user and nice).
    fn parse(stat: &str) -> Option<Machine> {
        let line = stat.lines().find(|line| line.starts_with("cpu "))?;
        let ticks: Vec<u64> = line
            .split_whitespace()
            .skip(1)
            .take(8)
            .map(str::parse)
            .collect::<Result<_, _>>()
            .ok()?;
        (ticks.len() == 8).then(|| Machine {
            idle: ticks[3] + ticks[4],
            total: ticks.iter().sum(),
        })
    }

    /// The share of the CPUs' time, in percent, that stood idle from `self` to `later`.
    pub fn idle_percent_until(&self, later: &Machine) -> Option<f64> {
        let total = later.total.checked_sub(self.total).filter(|t| *t > 0)?;
        let idle = later.idle.checked_sub(self.idle)?;
        Some(idle as f64 * 100.0 / total as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_time_is_read_and_grows_with_work() {
        let pid = std::process::id();
        let before = cpu_seconds(pid).expect("this process's CPU time");
        let mut sum = 0u64;
        let mut after = before;
        for i in 0..u64::MAX {
            sum = sum.wrapping_add(i.rotate_left(7));
            if i % 1_000_000 == 0 {
                after = cpu_seconds(pid).expect("this process's CPU time");
                if after > before {
                    break;
                }
            }
        }
        assert!(after > before, "{sum}");
        assert_eq!(cpu_seconds(u32::MAX), None, "no such process");
    }

    #[test]
    fn the_idle_share_counts_idle_and_disk_waits_over_every_tick() {
        let before = Machine::parse("cpu  100 0 50 800 50 0 0 0 0 0\ncpu0 1 2 3\n").unwrap();
        let after = Machine::parse("cpu  160 0 70 880 60 0 0 30 0 0\n").unwrap();
        // 200 ticks in all (60 user, 20 system, 80 idle, 10 iowait, 30 stolen).
        assert_eq!(before.idle_percent_until(&after), Some(45.0));
        assert_eq!(after.idle_percent_until(&after), None, "no time passed");
        assert_eq!(Machine::parse("cpu 1 2 3\n"), None, "too few fields");
        assert!(Machine::now().is_some(), "this machine's /proc/stat");
    }
}
