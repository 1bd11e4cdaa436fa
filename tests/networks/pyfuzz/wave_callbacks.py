def onCook(scriptOp):
    scriptOp.clear()
    scriptOp.appendChan('a')
    op('fuzz').module.fuzz_cooking(scriptOp)
