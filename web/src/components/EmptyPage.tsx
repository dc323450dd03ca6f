import { Button, Empty, Flex, Typography } from 'antd';
import { useNavigate } from 'react-router';

export interface EmptyAction {
  label: string;
  to: string;
  primary?: boolean;
}

interface Props {
  heading: string;
  title: string;
  description: string;
  actions?: EmptyAction[];
}

/** A page that has nothing to list yet: what will be here, and where to go next. */
export function EmptyPage({ heading, title, description, actions = [] }: Props) {
  const navigate = useNavigate();
  return (
    <>
      <Typography.Title level={3}>{heading}</Typography.Title>
      <Empty
        style={{ marginTop: 64 }}
        image={Empty.PRESENTED_IMAGE_SIMPLE}
        description={
          <Flex vertical gap={4} align="center">
            <Typography.Text strong>{title}</Typography.Text>
            <Typography.Text type="secondary" style={{ maxWidth: 480 }}>
              {description}
            </Typography.Text>
          </Flex>
        }
      >
        <Flex gap={8} justify="center" wrap>
          {actions.map((action) => (
            <Button key={action.to} type={action.primary ? 'primary' : 'default'} onClick={() => navigate(action.to)}>
              {action.label}
            </Button>
          ))}
        </Flex>
      </Empty>
    </>
  );
}
