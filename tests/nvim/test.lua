-- Driven by run.sh: opens values/main.go, sets a breakpoint on `half := n / 2` like a user,
-- runs the program under gobp-dap through nvim-dap, reads n at the stop, calls decide from the
-- debug console, then stops at an exit
-- breakpoint (main.decide:return) and reads the returned value, and continues to the exit.
local result_file = os.getenv('GOBP_RESULT')
local function finish(ok, msg)
  local f = io.open(result_file, 'w')
  f:write((ok and 'PASS' or 'FAIL') .. '\n' .. tostring(msg) .. '\n')
  f:close()
  if ok then vim.cmd('qall!') else vim.cmd('cquit 1') end
end

local function main()
  local dap = require('dap')
  dap.set_log_level('TRACE')
  local adapter = os.getenv('GOBP_ADAPTER')
  local mode = os.getenv('GOBP_MODE')
  if mode == 'executable' then
    dap.adapters.gobp = { type = 'executable', command = adapter, options = { detached = false } }
  elseif adapter == 'dlv' then
    dap.adapters.gobp = { type = 'server', port = '${port}',
      executable = { command = 'dlv', args = { 'dap', '--listen', '127.0.0.1:${port}' }, detached = false } }
  else
    dap.adapters.gobp = { type = 'server', port = '${port}',
      executable = { command = adapter, args = { '--port', '${port}', '--single-session' }, detached = false } }
  end

  local events = { stopped = 0, exited = nil, terminated = false, output = {} }
  dap.listeners.after.event_stopped['gobp-test'] = function() events.stopped = events.stopped + 1 end
  dap.listeners.after.event_exited['gobp-test'] = function(_, body) events.exited = body.exitCode end
  dap.listeners.after.event_terminated['gobp-test'] = function() events.terminated = true end
  dap.listeners.after.event_output['gobp-test'] = function(_, body) table.insert(events.output, body.output) end

  local src = os.getenv('GOBP_SRC')
  vim.cmd('edit ' .. vim.fn.fnameescape(src))
  local line = vim.fn.search('half := n / 2', 'w')
  assert(line > 0, 'half := n / 2 not found in ' .. src)
  vim.api.nvim_win_set_cursor(0, { line, 0 })
  dap.set_breakpoint()

  dap.run({ type = 'gobp', request = 'launch', name = 'e2e', mode = 'exec', program = os.getenv('GOBP_PROGRAM') })

  if not vim.wait(60000, function() return events.stopped > 0 end, 50) then
    return finish(false, 'no stopped event within 60 s')
  end
  local session = dap.session()
  if not vim.wait(10000, function() return session.current_frame ~= nil end, 50) then
    return finish(false, 'stopped, but no current frame')
  end
  local frame = session.current_frame
  if frame.name ~= 'main.decide' or frame.line ~= line then
    return finish(false, string.format('stopped at %s:%s, want main.decide:%d', frame.name, tostring(frame.line), line))
  end
  if not (frame.source and frame.source.path == src) then
    return finish(false, 'frame source path ' .. vim.inspect(frame.source) .. ' ~= ' .. src)
  end

  -- read n through the session: scopes, then variables of the scope holding the arguments
  local n_value, err
  local done = false
  session:request('scopes', { frameId = frame.id }, function(e1, scopes)
    if e1 then err = vim.inspect(e1); done = true; return end
    local pending = 0
    for _, sc in ipairs(scopes.scopes) do
      if sc.name == 'Arguments' or sc.name == 'Locals' then
        pending = pending + 1
        session:request('variables', { variablesReference = sc.variablesReference }, function(e2, vars)
          if e2 then err = vim.inspect(e2) end
          for _, v in ipairs((vars or {}).variables or {}) do
            if v.name == 'n' then n_value = v.value end
          end
          pending = pending - 1
          if pending == 0 then done = true end
        end)
      end
    end
    if pending == 0 then done = true end
  end)
  if not vim.wait(10000, function() return done end, 50) then return finish(false, 'scopes/variables did not answer') end
  if err then return finish(false, 'variables error: ' .. err) end
  if n_value ~= '0' then return finish(false, 'n = ' .. tostring(n_value) .. ', want 0') end

  -- a function call in the debug console (the breakpoint in decide does not stop the call)
  local call_result = 'not checked (dlv)'
  if adapter ~= 'dlv' then
    local call_done = false
    session:request('evaluate', { expression = 'decide(6, "nvim")', frameId = frame.id, context = 'repl' }, function(e, r)
      call_result = e and ('error ' .. vim.inspect(e)) or (r and r.result)
      call_done = true
    end)
    if not vim.wait(30000, function() return call_done end, 50) then return finish(false, 'the call did not answer') end
    if call_result ~= 'true' then return finish(false, 'decide(6, "nvim") = ' .. tostring(call_result) .. ', want true') end
  end

  dap.clear_breakpoints()
  -- clear_breakpoints only changes the UI state; tell the adapter too
  session:request('setBreakpoints', { source = { path = src }, breakpoints = {} }, function() end)
  vim.wait(200)

  local ret_value = 'not checked (dlv)'
  if adapter ~= 'dlv' then
    -- an exit breakpoint: main.decide:return stops where decide returns, its result in the
    -- first scope (presentationHint returnValue)
    local set_done, set_err, verified = false, nil, false
    session:request('setFunctionBreakpoints', { breakpoints = { { name = 'main.decide:return' } } }, function(e, r)
      set_err = e and vim.inspect(e)
      verified = r and r.breakpoints and r.breakpoints[1] and r.breakpoints[1].verified
      set_done = true
    end)
    if not vim.wait(10000, function() return set_done end, 50) or set_err or not verified then
      return finish(false, 'setFunctionBreakpoints main.decide:return: ' .. tostring(set_err or 'not verified'))
    end
    local before = events.stopped
    dap.continue()
    if not vim.wait(60000, function() return events.stopped > before end, 50) then
      return finish(false, 'no stop at main.decide:return within 60 s')
    end
    if not vim.wait(10000, function() return session.current_frame ~= nil and session.current_frame.name == 'main.decide' end, 50) then
      return finish(false, 'the exit breakpoint did not stop in main.decide')
    end
    local got = false
    session:request('scopes', { frameId = session.current_frame.id }, function(e1, scopes)
      local first = scopes and scopes.scopes and scopes.scopes[1]
      if e1 or not first or first.presentationHint ~= 'returnValue' then
        ret_value = 'first scope ' .. vim.inspect(first or e1)
        got = true
        return
      end
      session:request('variables', { variablesReference = first.variablesReference }, function(_, vars)
        for _, v in ipairs((vars or {}).variables or {}) do
          if v.name == '~r0' then ret_value = v.value end
        end
        got = true
      end)
    end)
    if not vim.wait(10000, function() return got end, 50) then return finish(false, 'return values did not answer') end
    if ret_value ~= 'false' then return finish(false, 'decide returned ' .. tostring(ret_value) .. ', want false') end
    session:request('setFunctionBreakpoints', { breakpoints = {} }, function() end)
    vim.wait(200)
  end
  dap.continue()
  if not vim.wait(60000, function() return events.terminated end, 50) then
    return finish(false, 'no terminated event within 60 s')
  end
  if adapter ~= 'dlv' and events.exited ~= 3 then
    return finish(false, 'exit code ' .. tostring(events.exited) .. ', want 3')
  end
  finish(true, string.format('stopped at main.decide:%d with n=%s, called decide(6, "nvim") = %s, decide returned %s, exit code %s',
    line, n_value, tostring(call_result), tostring(ret_value), tostring(events.exited)))
end

local ok, e = pcall(main)
if not ok then finish(false, 'Lua error: ' .. tostring(e)) end
