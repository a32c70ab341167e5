//! The `xiezuo` binary's global allocator: mimalloc, for memory that Rust allocates.
//!
//! A build spends most of its time in Oxigraph's bulk loader, which encodes, hashes and sorts
//! millions of small keys and strings on several threads. With glibc's allocator a quarter of a
//! 100 MB build's CPU samples were in `malloc` and `free`; with mimalloc the build takes about a
//! fifth less time (README, "Large corpora").
//!
//! One pointer does not come from Rust: Oxigraph takes RocksDB's error messages, which RocksDB's C
//! code allocates with the C library's `malloc`, as `CString`s, and so frees them through the
//! global allocator. Handing such a pointer to mimalloc crashes the process (a store locked by
//! another process did). So every pointer mimalloc is asked to free or grow is first checked to
//! be its own, and one that is not goes back to the C library. RocksDB itself keeps the C
//! library's allocator: only Rust's allocations change.

use std::alloc::{GlobalAlloc, Layout};
use std::ffi::c_void;

pub struct Allocator;

/// True if mimalloc allocated `ptr` (a lookup in its page map, a few nanoseconds).
fn is_mimalloc_pointer(ptr: *mut u8) -> bool {
    // SAFETY: mi_is_in_heap_region only reads mimalloc's page map; any address may be asked.
    unsafe { libmimalloc_sys::mi_is_in_heap_region(ptr as *const c_void) }
}

// SAFETY: allocation is mimalloc's; every pointer is freed or resized by the allocator that made
// it, mimalloc or the C library.
unsafe impl GlobalAlloc for Allocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        mimalloc::MiMalloc.alloc(layout)
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        mimalloc::MiMalloc.alloc_zeroed(layout)
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if is_mimalloc_pointer(ptr) {
            mimalloc::MiMalloc.dealloc(ptr, layout)
        } else {
            libc::free(ptr as *mut c_void)
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if is_mimalloc_pointer(ptr) {
            return mimalloc::MiMalloc.realloc(ptr, layout, new_size);
        }
        // A C library pointer moves into mimalloc's memory, so that from now on it is one of ours.
        let new_layout = Layout::from_size_align_unchecked(new_size, layout.align());
        let new = self.alloc(new_layout);
        if !new.is_null() {
            std::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
            libc::free(ptr as *mut c_void);
        }
        new
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frees_what_the_c_library_allocated() {
        // What Oxigraph does with a RocksDB error message: a C string from strdup, owned and
        // dropped as a CString. The test binary's allocator is the system's, so this goes
        // through `Allocator` directly.
        let message = c"IO error: lock hold by current process";
        unsafe {
            let from_c = libc::strdup(message.as_ptr()) as *mut u8;
            assert!(!is_mimalloc_pointer(from_c));
            let layout = Layout::from_size_align(message.to_bytes_with_nul().len(), 1).unwrap();
            Allocator.dealloc(from_c, layout);

            let from_c = libc::strdup(message.as_ptr()) as *mut u8;
            let grown = Allocator.realloc(from_c, layout, 4096);
            assert!(is_mimalloc_pointer(grown));
            assert_eq!(
                std::slice::from_raw_parts(grown, layout.size()),
                message.to_bytes_with_nul()
            );
            Allocator.dealloc(grown, Layout::from_size_align(4096, 1).unwrap());
        }
    }

    #[test]
    fn keeps_its_own_memory() {
        let layout = Layout::from_size_align(64, 8).unwrap();
        unsafe {
            let ptr = Allocator.alloc_zeroed(layout);
            assert!(is_mimalloc_pointer(ptr));
            assert!(std::slice::from_raw_parts(ptr, 64).iter().all(|&b| b == 0));
            let grown = Allocator.realloc(ptr, layout, 1 << 20);
            assert!(is_mimalloc_pointer(grown));
            Allocator.dealloc(grown, Layout::from_size_align(1 << 20, 8).unwrap());
        }
    }
}
