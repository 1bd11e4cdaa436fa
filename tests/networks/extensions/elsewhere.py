def onStart():
    print('from elsewhere', op.Show.path, op.Show.Go(1))
