-- rainv from Lua through the C ABI (LuaJIT's FFI, as an rspamd plugin would call it): judge one
-- file and print rainv's JSON lines; the exit status is rainv's.
--
--   luajit check.lua path/to/librainv.so FILE [NOW]
local ffi = require("ffi")

-- The declarations of include/rainv.h that this script uses.
ffi.cdef [[
typedef struct rainv_policy rainv_policy;
void rainv_free(char *text);
int rainv_policy_new(const char *toml, rainv_policy **policy_out, char **error_out);
void rainv_policy_free(rainv_policy *policy);
int rainv_check(const uint8_t *data, size_t len, const char *file, const char *password,
                const rainv_policy *policy, const char *now, char **json_out, char **error_out);
]]

local rainv = ffi.load(arg[1])
local file = assert(io.open(arg[2], "rb"))
local data = file:read("*a")
file:close()

-- One policy, made once (here the defaults; give TOML text instead of nil), freed by the GC.
local policy_out = ffi.new("rainv_policy *[1]")
assert(rainv.rainv_policy_new(nil, policy_out, nil) == 0)
local policy = ffi.gc(policy_out[0], rainv.rainv_policy_free)

local json, err = ffi.new("char *[1]"), ffi.new("char *[1]")
local status = rainv.rainv_check(ffi.cast("const uint8_t *", data), #data, arg[2], nil, policy,
                                 arg[3], json, err)
-- Every string rainv gives is copied into Lua, then freed with rainv_free.
if json[0] ~= nil then io.write(ffi.string(json[0])) end
if err[0] ~= nil then io.stderr:write("error: ", ffi.string(err[0]), "\n") end
rainv.rainv_free(json[0])
rainv.rainv_free(err[0])
os.exit(status)
