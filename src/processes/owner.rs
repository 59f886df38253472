//! Owner names of processes: the account database on Unix (sysinfo's
//! user list); on Windows `LookupAccountSidW` on each owner's SID, once
//! per SID (sysinfo's Windows user list enumerates logon sessions, which
//! misbehaves under Wine and is more than a name lookup needs).

use std::cell::RefCell;
use std::collections::HashMap;

use sysinfo::Uid;

/// Names by owner, looked up once each.
pub struct Names {
    #[cfg(not(windows))]
    users: sysinfo::Users,
    cache: RefCell<HashMap<String, String>>,
}

impl Names {
    pub fn new() -> Names {
        Names {
            #[cfg(not(windows))]
            users: sysinfo::Users::new_with_refreshed_list(),
            cache: RefCell::new(HashMap::new()),
        }
    }

    /// The owner's account name, or its id when it has none.
    pub fn name(&self, uid: &Uid) -> String {
        let key = uid.to_string();
        if let Some(n) = self.cache.borrow().get(&key) {
            return n.clone();
        }
        let name = self.lookup(uid).unwrap_or_else(|| key.clone());
        self.cache.borrow_mut().insert(key, name.clone());
        name
    }

    #[cfg(not(windows))]
    fn lookup(&self, uid: &Uid) -> Option<String> {
        self.users.get_user_by_id(uid).map(|u| u.name().to_string())
    }

    #[cfg(windows)]
    fn lookup(&self, uid: &Uid) -> Option<String> {
        windows::account(&uid.to_string())
    }
}

#[cfg(windows)]
mod windows {
    use windows_sys::Win32::Foundation::LocalFree;
    use windows_sys::Win32::Security::Authorization::ConvertStringSidToSidW;
    use windows_sys::Win32::Security::{LookupAccountSidW, PSID, SID_NAME_USE};

    /// `DOMAIN\user` for a SID in string form (`S-1-5-21-…`).
    pub fn account(sid_text: &str) -> Option<String> {
        let wide: Vec<u16> = sid_text.encode_utf16().chain(std::iter::once(0)).collect();
        let mut sid: PSID = std::ptr::null_mut();
        // SAFETY: `wide` is NUL-terminated; `sid` receives a LocalAlloc'd SID.
        if unsafe { ConvertStringSidToSidW(wide.as_ptr(), &mut sid) } == 0 || sid.is_null() {
            return None;
        }
        let mut name = [0u16; 256];
        let mut domain = [0u16; 256];
        let (mut n, mut d) = (name.len() as u32, domain.len() as u32);
        let mut kind: SID_NAME_USE = 0;
        // SAFETY: buffers and their lengths match; `sid` is valid until freed.
        let ok = unsafe {
            LookupAccountSidW(
                std::ptr::null(),
                sid,
                name.as_mut_ptr(),
                &mut n,
                domain.as_mut_ptr(),
                &mut d,
                &mut kind,
            )
        };
        // SAFETY: freeing the SID ConvertStringSidToSidW allocated.
        unsafe { LocalFree(sid) };
        if ok == 0 {
            return None;
        }
        let name = String::from_utf16_lossy(&name[..n as usize]);
        let domain = String::from_utf16_lossy(&domain[..d as usize]);
        Some(if domain.is_empty() {
            name
        } else {
            format!("{domain}\\{name}")
        })
    }
}
