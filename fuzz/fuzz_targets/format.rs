//! Every record writer (every format, and AWS with a field list of the input's choosing) over any
//! record the types allow, values at their widest included: the line's exact size, counted with
//! an empty buffer (nothing written), is within the writer's bound
//! (`Formatter::record_len_bound`), which the writers trust to append without checking the room
//! left; only then is the line written, into a buffer of `Formatter::MAX_RECORD_LEN` bytes (the
//! unchecked path) and into one of exactly its size, and the two agree.
#![no_main]

use flowlog_core::format::aws::AwsField;
use flowlog_core::format::{FormatError, FormatKind, Formatter};
use flowlog_core::{Action, Direction, Dissected, EndReason, FlowKey, LogStatus, Record};
use libfuzzer_sys::fuzz_target;

/// The input read as a stream of values; zeros once it runs out.
struct Input<'a>(&'a [u8]);

impl Input<'_> {
    fn bytes<const N: usize>(&mut self) -> [u8; N] {
        let mut out = [0; N];
        let n = N.min(self.0.len());
        out[..n].copy_from_slice(&self.0[..n]);
        self.0 = &self.0[n..];
        out
    }

    fn u8(&mut self) -> u8 {
        self.bytes::<1>()[0]
    }

    /// A selector byte, then the type's maximum (the widest text), zero, or the next bytes.
    fn u64(&mut self) -> u64 {
        match self.u8() % 4 {
            0 => u64::MAX,
            1 => 0,
            _ => u64::from_le_bytes(self.bytes()),
        }
    }

    fn u32(&mut self) -> u32 {
        if self.u8() % 2 == 0 {
            u32::MAX
        } else {
            u32::from_le_bytes(self.bytes())
        }
    }

    fn u16(&mut self) -> u16 {
        if self.u8() % 2 == 0 {
            u16::MAX
        } else {
            u16::from_le_bytes(self.bytes())
        }
    }

    /// The widest IPv6 text (eight 4-digit groups), or any 16 bytes.
    fn addr(&mut self) -> [u8; 16] {
        if self.u8() % 2 == 0 {
            [0xff; 16]
        } else {
            self.bytes()
        }
    }

    /// Any record, the engine's invariants aside (a binding formats records it is given).
    fn record(&mut self) -> Record {
        let d = Dissected {
            ip_version: [4, 6, self.u8()][usize::from(self.u8() % 3)],
            src: self.addr(),
            dst: self.addr(),
            protocol: self.u8(),
            src_port: self.u16(),
            dst_port: self.u16(),
            vlan: self.u16(),
            tunnel_id: self.u32(),
            ..Dissected::EMPTY
        };
        let direction = [Direction::Unknown, Direction::In, Direction::Out][usize::from(self.u8() % 3)];
        let action = if self.u8() % 2 == 0 { Action::Accept } else { Action::Reject };
        let observation_point = self.u32();
        Record {
            key: FlowKey::new(&d, observation_point, direction, action, true, true),
            packets: self.u64(),
            bytes: self.u64(),
            start_ns: self.u64(),
            end_ns: self.u64(),
            tcp_flags: self.u16(),
            tcp_syn_ack: self.u8() % 2 == 0,
            has_icmp: self.u8() % 2 == 0,
            icmp_type: self.u8(),
            icmp_code: self.u8(),
            window_start_secs: self.u64(),
            window_secs: self.u64(),
            end_reason: [EndReason::Window, EndReason::Evicted, EndReason::Flush, EndReason::PacketLimit]
                [usize::from(self.u8() % 4)],
            log_status: [LogStatus::Ok, LogStatus::NoData, LogStatus::SkipData][usize::from(self.u8() % 3)],
        }
    }

    /// An AWS field list from the rest of the input: a byte per field, each field once, in the
    /// input's order; the default list when the input names none.
    fn aws_fields(&mut self) -> Formatter {
        let mut names: Vec<&str> = Vec::new();
        for &b in self.0 {
            let name = AwsField::ALL[usize::from(b) % AwsField::COUNT].name();
            if !names.contains(&name) {
                names.push(name);
            }
        }
        if names.is_empty() {
            return Formatter::new(FormatKind::Aws);
        }
        let spec = names.iter().map(|n| format!("${{{n}}}")).collect::<Vec<_>>().join(" ");
        Formatter::aws_with_fields(&spec).expect("distinct supported fields")
    }
}

fuzz_target!(|input: &[u8]| {
    let mut input = Input(input);
    let rec = input.record();
    let every_field = AwsField::ALL.map(|f| format!("${{{}}}", f.name())).join(" ");
    let mut writers: Vec<Formatter> = FormatKind::ALL.into_iter().map(Formatter::new).collect();
    writers.push(Formatter::aws_with_fields(&every_field).expect("every supported field"));
    writers.push(input.aws_fields());
    for f in writers {
        let Err(FormatError::BufferTooSmall { required }) = f.write_record(&rec, &mut []) else {
            panic!("an empty buffer holds no line");
        };
        assert!(
            required <= f.record_len_bound(),
            "{:?}: {required} > bound {}",
            f.kind(),
            f.record_len_bound()
        );
        assert!(f.record_len_bound() <= Formatter::MAX_RECORD_LEN);
        let mut unchecked = [0u8; Formatter::MAX_RECORD_LEN];
        assert_eq!(f.write_record(&rec, &mut unchecked), Ok(required));
        let mut checked = vec![0u8; required];
        assert_eq!(f.write_record(&rec, &mut checked[..]), Ok(required));
        assert_eq!(&unchecked[..required], &checked[..]);
        assert!(checked.ends_with(b"\n") && !checked[..required - 1].contains(&b'\n'));
    }
});
