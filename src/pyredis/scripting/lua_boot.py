"""The Lua side of the sandbox: the chunk run once in every new Lua state (see ``runtime``).

It receives a table of Python callables (``api``) and the mode (``false``: the EVAL state,
``true``: the FUNCTION state), builds the globals a script sees and returns the internals Python
drives (runners, compiler, hook switch, environments).

Redis 7.0.15 makes every global table read-only (its patched Lua has read-only tables). Stock
Lua 5.1 has none, so the thread's real globals table is emptied and turned into a proxy: reads go
to a hidden table ``G`` (whose own ``__index`` raises "Script attempted to access nonexistent
global variable"), writes raise "Attempt to modify a readonly table"; the library tables are
proxies the same way. ``KEYS``/``ARGV`` are stored straight into ``G`` from Python.

The ``redis.*`` API and the libraries are the Python callables themselves, which Lua calls as C
functions: a script's ``return redis.call(...)`` is then no Lua tail call, and its frame is still
on the stack when the call fails — the error reply names the script's line as Redis's does. A
Python callable fails by raising ``runtime.LuaRaise(value)``; Lua sees a wrapped exception that
``error_value`` unwraps (in the message handler and in ``pcall``/``xpcall``) to the value: a
message string (already prefixed with the position, as ``luaL_error`` does) or an ``{err=...}``
table. The message handler given to ``xpcall`` turns any error into ``{err=..., source=...,
line=...}`` pointing at the innermost frame of user code, from which Python builds
"ERR ... script: <name>, on @user_script:<line>.".
"""

BOOT = r"""
local api, function_mode = ...
local G0 = _G
local sethook, getinfo = debug.sethook, debug.getinfo
local rawget, rawset, error, type, tostring, select, unpack = rawget, rawset, error, type, tostring, select, unpack
local setmetatable, pcall, xpcall, ipairs, pairs, next = setmetatable, pcall, xpcall, ipairs, pairs, next
local loadstring, setfenv, newproxy = loadstring, setfenv, newproxy
local tonumber = tonumber

local function ro_error() error("Attempt to modify a readonly table", 2) end
local function readonly(t) return setmetatable({}, {__index = t, __newindex = ro_error, __metatable = false}) end
-- lupa itself looks globals up from C (debug.traceback for its error handler): only Lua code
-- gets the error, C callers see the hidden originals
local hidden = {debug = debug}
local function missing(t, n)
  local caller = getinfo(2, 'S')
  if caller == nil or caller.what == 'C' then return hidden[n] end
  error("Script attempted to access nonexistent global variable '" .. tostring(n) .. "'", 2)
end

-- the redis API table: Python callables (C functions to Lua, so a failing `return redis.call(...)`
-- still has the script's frame on the stack for the error's line, as Redis's C API does)
local redis = {}
for _, k in ipairs({'call', 'pcall', 'sha1hex', 'error_reply', 'status_reply', 'log', 'setresp', 'set_repl',
                    'replicate_commands', 'breakpoint', 'debug', 'acl_check_cmd'}) do
  redis[k] = api[k]
end
redis.LOG_DEBUG, redis.LOG_VERBOSE, redis.LOG_NOTICE, redis.LOG_WARNING = 0, 1, 2, 3
redis.REDIS_VERSION = api.version
redis.REDIS_VERSION_NUM = api.version_num
redis.REPL_NONE, redis.REPL_AOF, redis.REPL_SLAVE, redis.REPL_REPLICA, redis.REPL_ALL = 0, 1, 2, 2, 3

-- libraries
local function copy(t) local c = {} for k, v in pairs(t) do c[k] = v end return c end
local cjson = copy(api.cjson)
cjson.null = newproxy()
cjson._NAME = 'cjson'
cjson._VERSION = '2.1.0'
local keep = function() return 1 end
for _, k in ipairs({'encode_keep_buffer', 'encode_max_depth', 'decode_max_depth', 'encode_number_precision',
                    'encode_sparse_array', 'encode_invalid_numbers', 'decode_invalid_numbers'}) do
  cjson[k] = keep
end
cjson.new = function() return cjson end
local cmsgpack = copy(api.cmsgpack)
cmsgpack._NAME = 'cmsgpack'
cmsgpack._VERSION = 'lua-cmsgpack 0.4.0'
local bit = copy(api.bit)
local struct = copy(api.struct)
local math_ = copy(math)
math_.random = api.random
math_.randomseed = api.randomseed

-- errors raised by Python callables reach Lua as a wrapped exception: unwrap to the value
local unwrap = api.unwrap
local function error_value(e)
  if type(e) == 'userdata' then
    local u = unwrap(e)
    if u ~= nil then return u end
  end
  return e
end

-- Redis's pcall: an {err=...} error object is returned as its message (luaRedisPcall)
local function pcall_result(ok, ...)
  if ok then return ok, ... end
  local e = error_value((...))
  if type(e) == 'table' then
    local m = rawget(e, 'err')
    if type(m) == 'string' or type(m) == 'number' then return false, m end
  end
  return false, e
end
local function redis_pcall(...) return pcall_result(pcall(...)) end
local function redis_xpcall(f, handler)
  return xpcall(f, function(e) return handler(error_value(e)) end)
end

-- the globals scripts see
local G = {}
for _, k in ipairs({'tostring', 'next', 'assert', 'tonumber', 'rawequal', 'collectgarbage',
                    'getmetatable', 'setmetatable', 'rawset', 'type', 'select', 'unpack', 'gcinfo', 'pairs',
                    'rawget', 'loadstring', 'ipairs', '_VERSION', 'load', 'error'}) do
  G[k] = G0[k]
end
G.pcall = redis_pcall
G.xpcall = redis_xpcall
G.string = readonly(string)
G.table = readonly(table)
G.coroutine = readonly(coroutine)
G.math = readonly(math_)
G.cjson = readonly(cjson)
G.cmsgpack = readonly(cmsgpack)
G.bit = readonly(bit)
G.struct = readonly(struct)
G.redis = readonly(redis)
G._G = G0
setmetatable(G, {__index = missing})

-- empty the real globals table and make it the read-only proxy of G
local names = {}
for k in pairs(G0) do names[#names + 1] = k end
for _, k in ipairs(names) do rawset(G0, k, nil) end
setmetatable(G0, {__index = G, __newindex = ro_error, __metatable = false})

-- FUNCTION LOAD sees only redis.register_function, redis.log and the constants
local LG
if function_mode then
  local lredis = {
    register_function = api.register_function, log = api.log,
    LOG_DEBUG = 0, LOG_VERBOSE = 1, LOG_NOTICE = 2, LOG_WARNING = 3,
    REDIS_VERSION = api.version, REDIS_VERSION_NUM = api.version_num,
  }
  LG = {redis = setmetatable({}, {__index = setmetatable(lredis, {__index = missing}),
                                  __newindex = ro_error, __metatable = false})}
  setmetatable(LG, {__index = missing})
end

-- error objects: {err=..., source=..., line=...} for the innermost user frame
local function err_handler(err)
  local info
  local level = 2
  while true do
    local i = getinfo(level, 'Sl')
    if not i then break end
    if i.source == '@user_script' or i.source == '@user_function' then info = i; break end
    level = level + 1
  end
  err = error_value(err)
  if type(err) ~= 'table' then err = {err = 'ERR ' .. tostring(err)} end
  if info and info.currentline and info.currentline > 0 then
    rawset(err, 'source', info.source)
    rawset(err, 'line', info.currentline)
  end
  return err
end

local function err_table(msg) return {err = 'ERR ' .. msg} end
local busy_check = api.busy_check
local kill_error
-- hooks act on user code only: our own Lua (message handler, runners) must never be interrupted
local function in_user_code()
  local i = getinfo(3, 'S')
  return i ~= nil and (i.source == '@user_script' or i.source == '@user_function')
end
local function line_hook()
  if in_user_code() then error(kill_error) end
end
local function count_hook()
  if not in_user_code() then return end
  local msg = busy_check()
  if msg then
    kill_error = err_table(msg)
    -- from now on every line raises again, so pcall can't swallow the kill
    sethook(line_hook, 'l')
    error(err_table(msg))
  end
end

local I = {}
I.G = G
I.null = cjson.null
I.hook_on = function(count) sethook(count_hook, '', count) end
I.hook_off = function() sethook() end
I.compile = function(code, chunkname)
  local f, e = loadstring(code, chunkname)
  if f then return f, false end
  return false, e
end
I.run_eval = function(f) return xpcall(f, err_handler) end
I.run_function = function(f, keys, args)
  return xpcall(function() return f(keys, args) end, err_handler)
end
-- luaL_where(L, 1) for a Python library function: the position of the code that called it
I.where = function()
  local i = getinfo(3, 'Sl')
  if i and i.currentline > 0 then return i.short_src .. ':' .. i.currentline .. ': ' end
  return ''
end
I.is_null = function(v) return v == cjson.null end
I.is_function = function(v) return type(v) == 'function' end
I.new_env = function()
  local mt = {__index = LG, __newindex = ro_error, __metatable = false}
  return setmetatable({}, mt), mt
end
I.activate_env = function(mt) mt.__index = G end
I.load_library = function(f, env)
  setfenv(f, env)
  return xpcall(f, err_handler)
end
return I
"""
