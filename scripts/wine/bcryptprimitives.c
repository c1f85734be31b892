/* Test-only stand-in for Windows' bcryptprimitives.dll under Wine 8.0, which lacks
 * ProcessPrng (Rust's std on Windows 10+ gets its random bytes there). It fills the buffer
 * from RtlGenRandom (advapi32 SystemFunction036). Only scripts/test-artifacts.sh installs it,
 * into a throw-away Wine prefix; it is never shipped and real Windows has the function. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
    while (len > 0) {
        ULONG chunk = len > 0x10000000 ? 0x10000000 : (ULONG)len;
        if (!SystemFunction036(data, chunk)) {
            return FALSE;
        }
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}
