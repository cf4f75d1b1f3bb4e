# The labelled sets of the finetune protocols, as MMAction2's
# tools/data/{ucf101,hmdb51} write them (data/<name>/videos,
# <name>_{train,val}_split_<k>_videos.txt): splits.<name>.split<k>.train and
# .val are the VideoListDataset fields of official split k (1-3), and
# splits.<name>.num_classes sizes the classifier.
splits = {
    name:
    dict(
        num_classes=num_classes,
        **{
            f'split{k}': {
                part:
                dict(
                    num_classes=num_classes,
                    data_prefix=dict(video=f'data/{name}/videos'),
                    ann_file=f'data/{name}/{name}_{part}_split_{k}_videos.txt')
                for part in ('train', 'val')
            }
            for k in (1, 2, 3)
        })
    for name, num_classes in (('ucf101', 101), ('hmdb51', 51))
}
